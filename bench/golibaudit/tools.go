//go:build tools

package tools

import _ "github.com/elastic/go-libaudit/v2/cmd/auparse"
