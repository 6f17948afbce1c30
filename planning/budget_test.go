package planning

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadBudget: two files over the byte budget never load together;
// small files load up to n at once.
func TestLoadBudget(t *testing.T) {
	for _, c := range []struct {
		name    string
		sizes   []int64
		maxSeen int32
	}{
		{"large files one at a time", []int64{300, 300, 300}, 1},
		{"small files together", []int64{10, 10, 10, 10}, 2},
		{"a large one with small ones", []int64{90, 5, 5}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newLoadBudget(2, 100)
			var running, peak atomic.Int32
			var wg sync.WaitGroup
			for _, size := range c.sizes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b.acquire(size)
					n := running.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					time.Sleep(50 * time.Millisecond)
					running.Add(-1)
					b.release(size)
				}()
			}
			wg.Wait()
			if got := peak.Load(); got != c.maxSeen {
				t.Errorf("at most %d loads ran at once, want %d", got, c.maxSeen)
			}
		})
	}
}
