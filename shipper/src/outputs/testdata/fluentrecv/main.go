// A real Fluent forward-protocol receiver for the fluent output's tests: the OpenTelemetry Collector's
// fluentforward receiver (which acknowledges a chunk only after its consumer accepted it), with a consumer
// that prints every received record as one JSON line on stdout. Not a hand-written fake, so the test
// exercises the same framing, packing and ack handshake as a production collector or Fluentd.
//
// Flags: -listen 127.0.0.1:PORT; -fail-first N makes the consumer reject the first N batches, so the
// receiver closes the connection without an ack (tests that the sender keeps the events and resends).
// Prints "READY <addr>" on stdout once listening.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	fluent "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/fluentforwardreceiver"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	failFirst := flag.Int("fail-first", 0, "reject this many batches first (no ack)")
	flag.Parse()

	var mu sync.Mutex
	rejected := 0
	next, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		mu.Lock()
		defer mu.Unlock()
		if rejected < *failFirst {
			rejected++
			fmt.Fprintf(os.Stderr, "rejecting batch %d of %d records\n", rejected, ld.LogRecordCount())
			return fmt.Errorf("rejected on purpose (%d)", rejected)
		}
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					line, _ := json.Marshal(map[string]any{
						"time":       lr.Timestamp().AsTime().UnixMilli(),
						"attributes": lr.Attributes().AsRaw(),
						"body":       lr.Body().AsRaw(),
					})
					fmt.Println(string(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		panic(err)
	}

	factory := fluent.NewFactory()
	cfg := factory.CreateDefaultConfig().(*fluent.Config)
	cfg.ListenAddress = *listen
	rcv, err := factory.CreateLogs(context.Background(), receivertest.NewNopSettings(factory.Type()), cfg, next)
	if err != nil {
		panic(err)
	}
	if err := rcv.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		panic(err)
	}
	fmt.Printf("READY %s\n", *listen)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	_ = rcv.Shutdown(context.Background())
}
