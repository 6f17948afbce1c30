package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Go's collector lets the heap grow by GOGC percent of the live heap
// before it collects again. Plan sets are large and live for the whole
// run, so a percentage of them is a lot of memory that holds only
// garbage: a million-parcel plan set keeps about a gigabyte live, and
// GOGC=100 would let the process grow to two. plancheck collects at 50 %
// growth, and at most maxHeadroom above the live heap.
const (
	gcPercent   = 50
	maxHeadroom = 256 << 20
	// runtimeSlack is what the runtime holds besides the heap: stacks,
	// span and GC metadata.
	runtimeSlack = 64 << 20
)

// tuneGC sets the collector's growth target after every collection from
// the heap that collection found live, until stop is called. GOGC or
// GOMEMLIMIT in the environment leave the collector as the user set it.
func tuneGC() (stop func()) {
	var stopped atomic.Bool
	debug.SetGCPercent(gcPercent)
	arm := func(fn func(*gcSentinel)) { runtime.SetFinalizer(&gcSentinel{}, fn) }
	var after func(*gcSentinel)
	after = func(*gcSentinel) {
		if stopped.Load() {
			return
		}
		live := liveHeap()
		percent := growthPercent(live)
		debug.SetGCPercent(percent)
		// The same bound as a soft memory limit, which counts the pages
		// the heap no longer uses but still holds: it makes the runtime
		// return them, so the process shrinks when a phase's working
		// memory (say, the features being typed) is gone.
		if live > 0 {
			debug.SetMemoryLimit(int64(live + live*uint64(percent)/100 + runtimeSlack))
		}
		arm(after) // a finalizer runs once; the next collection needs a new one
	}
	arm(after)
	return func() { stopped.Store(true) }
}

// gcSentinel is garbage at once; its finalizer runs after each collection.
// It is larger than the tiny allocator's objects (under 16 bytes), whose
// finalizers may never run.
type gcSentinel struct{ _ [32]byte }

// growthPercent is the GOGC that gives live bytes at most maxHeadroom of
// growth, never more than gcPercent and never below 10.
func growthPercent(live uint64) int {
	if live == 0 || live*gcPercent/100 <= maxHeadroom {
		return gcPercent
	}
	return max(10, int(maxHeadroom*100/live))
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
