package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// areaLocator locates points in a polygonal shape in O(log n + k) time
// for n edges, k of them spanning the point's latitude, in the manner of
// GEOS's IndexedPointInAreaLocator: the edges are kept in a static
// interval tree on y, and only the edges whose y-range holds the point
// are tested.
//
// It gives exactly the answer of the linear scan (pointInPolygon over the
// parts, as boundaryIndex.classify did), with the same exact predicates,
// because the scan's answer depends only on those edges: a ring answers 0
// when any of its edges holds the point (such an edge spans the point's
// y), else the parity of its edges that cross the horizontal ray to the
// right of the point (such an edge has one end above and one at or below
// the point's y). Edges outside the y-range neither hold the point nor
// cross the ray, so leaving them out changes no ring's answer, and the
// rings' answers combine into the parts' and the shape's as in the scan.
//
// A shape that takes part in many pairs (a zone, a corridor, a district
// crossing hundreds of parcels) is located into once per boundary point
// of every partner: with the linear scan a pair cost the product of the
// two vertex counts.
type areaLocator struct {
	segs  [][2]orb.Point // the boundary index's segments (shared, not copied)
	edges []int32        // leaves of the tree: segments, sorted by the middle of their y-range
	// levels[0] summarises edges in groups of locFanout, levels[1]
	// summarises levels[0], and so on up to a single root.
	levels [][]yRange
	// odd holds edges whose y-range cannot be compared (a NaN ordinate):
	// they are tested for every point, as the scan would.
	odd []int32
	// segRing is the ring of each segment (nil when simple: one ring
	// only); rings are numbered over all parts, and for each ring
	// ringPart and ringHole say its part and whether it is a hole.
	segRing  []int32
	ringPart []int32
	ringHole []bool
	simple   bool
}

// locFanout is the number of children per node of the interval tree.
const locFanout = 8

type yRange struct{ lo, hi float64 }

// span is the y-range of segment i. It is read from the segment, not
// stored: a cached zone has thousands of them.
func (l *areaLocator) span(i int32) yRange {
	s := &l.segs[i]
	return yRange{min(s[0][1], s[1][1]), max(s[0][1], s[1][1])}
}

// newAreaLocator indexes the segments of b (which must be ok). The ring of
// each segment is recovered by walking the parts in the order
// boundaryIndex.init did.
func newAreaLocator(b *boundaryIndex) *areaLocator {
	segs := b.segs
	if b.chain != nil {
		// Only tests locate in shapes this small; classify scans them.
		segs = make([][2]orb.Point, b.segCount())
		for i := range segs {
			segs[i] = b.seg(i)
		}
	}
	l := &areaLocator{segs: segs, edges: make([]int32, 0, len(segs))}
	segRing := make([]int32, 0, len(segs))
	k, ring := 0, int32(0)
	for pi, p := range b.parts {
		for ri, r := range p {
			l.ringPart = append(l.ringPart, int32(pi))
			l.ringHole = append(l.ringHole, ri > 0)
			for i := 0; i+1 < len(r); i++ {
				if r[i] == r[i+1] {
					continue
				}
				s := segs[k]
				if math.IsNaN(s[0][1]) || math.IsNaN(s[1][1]) {
					l.odd = append(l.odd, int32(k))
				} else {
					l.edges = append(l.edges, int32(k))
				}
				segRing = append(segRing, ring)
				k++
			}
			ring++
		}
	}
	l.simple = ring == 1
	if !l.simple {
		l.segRing = segRing
	}
	slices.SortFunc(l.edges, func(p, q int32) int {
		sp, sq := l.span(p), l.span(q)
		mp, mq := sp.lo/2+sp.hi/2, sq.lo/2+sq.hi/2
		switch {
		case mp < mq:
			return -1
		case mp > mq:
			return 1
		}
		return int(p - q)
	})
	prev := make([]yRange, len(l.edges))
	for i, e := range l.edges {
		prev[i] = l.span(e)
	}
	for len(prev) > 1 {
		next := make([]yRange, (len(prev)+locFanout-1)/locFanout)
		for i := range next {
			group := prev[i*locFanout : min((i+1)*locFanout, len(prev))]
			r := group[0]
			for _, g := range group[1:] {
				r.lo, r.hi = min(r.lo, g.lo), max(r.hi, g.hi)
			}
			next[i] = r
		}
		l.levels = append(l.levels, next)
		prev = next
	}
	return l
}

// ringHit is what one edge does to its ring's answer for a point.
type ringHit struct {
	ring        int32
	touch, flip bool
}

// locate returns 1 when p is in the interior of the shape, 0 on its
// boundary and -1 outside: pointInPolygon of each part, 1 if any part
// answers 1, else 0 if any answers 0.
func (l *areaLocator) locate(p orb.Point) int {
	if l.simple {
		// One ring: 0 when an edge holds p, else the parity of crossings.
		odd := false
		visit := func(e int32) bool {
			s := l.segs[e]
			touch, flip := edgeEffect(s[0], s[1], p)
			odd = odd != flip
			return !touch
		}
		for _, e := range l.odd {
			if !visit(e) {
				return 0
			}
		}
		if !l.search(p[1], visit) {
			return 0
		}
		if odd {
			return 1
		}
		return -1
	}
	var buf [32]ringHit
	hits := buf[:0]
	visit := func(e int32) bool {
		s := l.segs[e]
		if touch, flip := edgeEffect(s[0], s[1], p); touch || flip {
			hits = append(hits, ringHit{l.segRing[e], touch, flip})
		}
		return true
	}
	for _, e := range l.odd {
		visit(e)
	}
	l.search(p[1], visit)
	return l.combine(hits)
}

// search calls visit for every edge whose y-range holds y, until visit
// returns false; it reports whether all were visited.
func (l *areaLocator) search(y float64, visit func(int32) bool) bool {
	if len(l.edges) == 0 || !(y == y) {
		return true
	}
	if len(l.levels) == 0 {
		for _, e := range l.edges {
			if r := l.span(e); r.lo <= y && y <= r.hi && !visit(e) {
				return false
			}
		}
		return true
	}
	// Depth-first from the root; a stack of (level, node) that never
	// holds more than locFanout entries per level.
	type item struct{ level, node int }
	var stackBuf [8 * locFanout]item
	stack := append(stackBuf[:0], item{len(l.levels) - 1, 0})
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r := l.levels[it.level][it.node]; !(r.lo <= y && y <= r.hi) {
			continue
		}
		lo := it.node * locFanout
		if it.level == 0 {
			for _, e := range l.edges[lo:min(lo+locFanout, len(l.edges))] {
				if r := l.span(e); r.lo <= y && y <= r.hi && !visit(e) {
					return false
				}
			}
			continue
		}
		below := l.levels[it.level-1]
		for c := min(lo+locFanout, len(below)) - 1; c >= lo; c-- {
			if r := below[c]; r.lo <= y && y <= r.hi {
				stack = append(stack, item{it.level - 1, c})
			}
		}
	}
	return true
}

// combine turns the edges' effects into the answer of the linear scan:
// per ring 0 if touched, else 1 for an odd number of crossings, else -1
// (a ring no edge affects answers -1); per part the shell's answer unless
// it is 1, then 0 on the first hole touched, -1 inside the first hole
// holding it, else 1 (holes in order); 1 if any part answers 1, else 0 if
// any answers 0, else -1.
func (l *areaLocator) combine(hits []ringHit) int {
	slices.SortFunc(hits, func(a, b ringHit) int { return int(a.ring - b.ring) })
	best := -1
	part, partDone := int32(-1), false
	for i := 0; i < len(hits); {
		ring := hits[i].ring
		touch, odd := false, false
		for ; i < len(hits) && hits[i].ring == ring; i++ {
			touch = touch || hits[i].touch
			odd = odd != hits[i].flip
		}
		ans := -1
		switch {
		case touch:
			ans = 0
		case odd:
			ans = 1
		}
		if pp := l.ringPart[ring]; pp != part {
			// The first ring met of a new part: unless it is the shell,
			// the shell answered -1 and so does the part.
			part, partDone = pp, true
			if !l.ringHole[ring] {
				switch ans {
				case 1:
					partDone = false // inside the shell: holes decide
					if i == len(hits) || l.ringPart[hits[i].ring] != part {
						return 1
					}
				case 0:
					best = 0
				}
			}
			continue
		}
		if partDone {
			continue
		}
		// A hole of a part whose shell holds the point.
		switch ans {
		case 0:
			best, partDone = 0, true
			continue
		case 1:
			partDone = true
			continue
		}
		if i == len(hits) || l.ringPart[hits[i].ring] != part {
			return 1 // no hole of the part holds the point
		}
	}
	return best
}

// edgeEffect is one step of pointInRing for edge a–b (a ≠ b) and point p:
// whether the edge holds p, and whether it crosses the horizontal ray to
// the right of p.
func edgeEffect(a, b, p orb.Point) (touch, flip bool) {
	if inBox(a, b, p) && orient(a, b, p) == 0 {
		return true, false
	}
	if (a[1] > p[1]) != (b[1] > p[1]) {
		if a[0] < p[0] && b[0] < p[0] {
			return false, false
		}
		if a[0] > p[0] && b[0] > p[0] {
			return false, true
		}
		o := orient(a, b, p)
		return false, (b[1] > a[1] && o > 0) || (b[1] < a[1] && o < 0)
	}
	return false, false
}
