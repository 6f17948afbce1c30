package main

import (
	"math"
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
// growth, and at most maxHeadroom above the live heap until that is a
// quarter of it.
const (
	gcPercent   = 50
	minPercent  = 25
	maxHeadroom = 256 << 20
	// runtimeSlack is room for the runtime's own memory (metadata,
	// stacks) next to the heap goal.
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
		m := readMemory()
		percent := growthPercent(m.live)
		debug.SetGCPercent(percent)
		if m.live > 0 {
			debug.SetMemoryLimit(memoryLimit(m, percent))
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
// growth, never more than gcPercent and never below minPercent: beyond a
// gigabyte live, a fixed headroom would make the collector's work grow
// with the square of the plan set.
func growthPercent(live uint64) int {
	if live == 0 || live*gcPercent/100 <= maxHeadroom {
		return gcPercent
	}
	return max(minPercent, int(maxHeadroom*100/live))
}

// memoryLimit is the soft memory limit after a collection: the heap goal
// plus room for the runtime's own memory (metadata, stacks), which grows
// with the heap: runtimeSlack or a sixteenth of the live heap, whichever
// is larger. A fixed slack left the collector about 20 % growth at a
// million parcels but 13.5 % at ten million, where it ran half as often
// again and its share of the CPU rose from 22 % to 28 %. Pages the heap
// holds free above the limit are returned to the system, so the process
// shrinks when a phase's working memory (say, the features being typed)
// is gone. The limit counts everything the runtime holds, including what
// is lost inside spans (about a fifth of the live heap at a million
// parcels), so it is never set below the live heap plus that overhead
// plus a sixteenth: a limit the live heap alone nearly fills would make
// the collector run back to back.
func memoryLimit(m memory, percent int) int64 {
	limit := m.live + m.live*uint64(percent)/100 + max(runtimeSlack, m.live/16)
	limit = max(limit, m.live+m.overhead+m.live/16)
	return int64(min(limit, math.MaxInt64))
}

// memory is what the tuner reads after a collection.
type memory struct {
	live     uint64 // heap the collection found live
	overhead uint64 // runtime memory that is neither heap objects nor free heap pages
}

func readMemory() memory {
	s := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	metrics.Read(s)
	v := make([]uint64, len(s))
	for i, x := range s {
		if x.Value.Kind() == metrics.KindUint64 {
			v[i] = x.Value.Uint64()
		}
	}
	m := memory{live: v[0]}
	if held := v[2] + v[3] + v[4]; v[1] > held {
		m.overhead = v[1] - held
	}
	return m
}
