module auditsight/bench/golibaudit

go 1.22

require github.com/elastic/go-libaudit/v2 v2.6.2

require (
	golang.org/x/sys v0.11.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
