package geo

import (
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/rtree"
)

// Most candidate pairs a rule meets (bounding boxes that overlap) are
// neighbours whose interiors do not meet, or a small parcel wholly inside a
// large zone. quickRelate decides those cases with exact predicates on the
// two boundaries, so the overlay engine runs only where the shapes really
// overlap in part. It never guesses: anything it cannot prove is
// relUnknown and goes to the overlay.

type quickRel int

const (
	relUnknown  quickRel = iota
	relDisjoint          // interiors share no point
	relAInB              // a lies within b
	relBInA              // b lies within a
)

// maxQuickSegments bounds the segment pairs quickRelate examines before it
// leaves the pair to the overlay.
const maxQuickSegmentPairs = 400_000

// boundaryIndex is a shape's polygon boundary prepared for quickRelate.
type boundaryIndex struct {
	parts []orb.Polygon
	segs  [][2]orb.Point
	// chain holds a small one-ring shape's segments without copying them:
	// segment i runs from chain[i] to chain[i+1]. A city's parcels are
	// such shapes, and each is prepared again by every rule that pairs it.
	chain []orb.Point
	tree  *rtree.RTree // over segs, for shapes with many segments
	// interior holds one interior point per part, found on first use:
	// pairs whose boundaries cross never need them.
	interiorOnce sync.Once
	interior     []orb.Point
	interiorOK   bool
	bound        orb.Bound
	ok           bool // polygonal and usable
	// onePart and oneInterior hold parts and interior for the usual
	// shape of one polygon, saving two allocations per shape.
	onePart     [1]orb.Polygon
	oneInterior [1]orb.Point
	// loc locates points in the shape in logarithmic time; it is built on
	// first use, for shapes of at least locatorMinSegments segments.
	locOnce sync.Once
	loc     *areaLocator
}

// locatorMinSegments: below this many segments the linear scan is as fast
// as the indexed locator and needs no memory.
const locatorMinSegments = 48

type preparedBoundary struct {
	once sync.Once
	b    boundaryIndex
}

func (s *Shape) boundary() *boundaryIndex {
	s.prep.once.Do(func() { s.prep.b.init(s) })
	return &s.prep.b
}

// init prepares b for s (in place: b holds a sync.Once).
func (b *boundaryIndex) init(s *Shape) {
	b.bound = s.Bound
	switch g := s.Geometry.(type) {
	case orb.Polygon:
		b.onePart[0] = g
		b.parts = b.onePart[:]
	case orb.MultiPolygon:
		b.parts = g
	default:
		return
	}
	if len(b.parts) == 1 && len(b.parts[0]) == 1 && chainable(b.parts[0][0]) {
		b.chain = b.parts[0][0]
		b.ok = true
		return
	}
	n := 0
	for _, p := range b.parts {
		for _, r := range p {
			n += len(r)
		}
	}
	b.segs = make([][2]orb.Point, 0, n)
	for _, p := range b.parts {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				if r[i] != r[i+1] {
					b.segs = append(b.segs, [2]orb.Point{r[i], r[i+1]})
				}
			}
		}
	}
	// Segment boxes are not kept: computed where needed they cost less
	// than the memory of a cached zone's thousands of them.
	if len(b.segs) > 32 {
		items := make([]rtree.BulkItem, len(b.segs))
		for i, sg := range b.segs {
			items[i] = rtree.BulkItem{Box: segBox(sg[0], sg[1]), RecordID: i}
		}
		b.tree = rtree.BulkLoad(items)
	}
	b.ok = true
}

// maxChainSegments is the most segments a chain holds: below the R-tree
// and locator sizes, which index segs.
const maxChainSegments = 32

// chainable reports whether ring r can serve as its own segment list: no
// more than maxChainSegments segments and no repeated consecutive
// position (segs leaves out such empty segments).
func chainable(r orb.Ring) bool {
	if len(r) < 2 || len(r)-1 > maxChainSegments {
		return false
	}
	for i := 0; i+1 < len(r); i++ {
		if r[i] == r[i+1] {
			return false
		}
	}
	return true
}

// segCount is the number of boundary segments.
func (b *boundaryIndex) segCount() int {
	if b.chain != nil {
		return len(b.chain) - 1
	}
	return len(b.segs)
}

// seg is boundary segment i.
func (b *boundaryIndex) seg(i int) [2]orb.Point {
	if b.chain != nil {
		return [2]orb.Point{b.chain[i], b.chain[i+1]}
	}
	return b.segs[i]
}

// interiorPoint finds a point strictly inside p: the middle of the widest
// span of a horizontal line through the middle of p's box, proved inside
// by the exact point-in-polygon test. Where rounding defeats that (a
// sliver of a polygon), the overlay engine's point on surface is asked.
func (b *boundaryIndex) interiorPoints() ([]orb.Point, bool) {
	b.interiorOnce.Do(func() {
		if len(b.parts) == 1 {
			b.interior = b.oneInterior[:0]
		}
		for _, p := range b.parts {
			pt, ok := interiorPoint(p)
			if !ok {
				return
			}
			b.interior = append(b.interior, pt)
		}
		b.interiorOK = true
	})
	return b.interior, b.interiorOK
}

func interiorPoint(p orb.Polygon) (orb.Point, bool) {
	if len(p) == 0 || len(p[0]) < 4 {
		return orb.Point{}, false
	}
	bound := pointsBound(p[0])
	y := bound.Min[1] + (bound.Max[1]-bound.Min[1])/2
	var xsBuf [32]float64
	xs := xsBuf[:0]
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			// Half-open in y so a vertex on the line counts once.
			if (a[1] <= y) == (b[1] <= y) {
				continue
			}
			xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
		}
	}
	slices.Sort(xs)
	best, width := orb.Point{}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = orb.Point{xs[i] + w/2, y}, w
		}
	}
	if width > 0 && pointInPolygon(best, p) == 1 {
		return best, true
	}
	sp, err := toSF(p)
	if err != nil {
		return orb.Point{}, false
	}
	xy, ok := sp.PointOnSurface().XY()
	if !ok {
		return orb.Point{}, false
	}
	pt := orb.Point{xy.X, xy.Y}
	// quickRelate relies on the point being strictly inside; a point the
	// exact test cannot confirm leaves the pair to the overlay.
	return pt, pointInPolygon(pt, p) == 1
}

// segmentsNear lists the indexes of b's segments whose boxes meet box.
func (b *boundaryIndex) segmentsNear(box rtree.Box, out []int) []int {
	out = out[:0]
	if b.tree == nil {
		for i := range b.segCount() {
			sg := b.seg(i)
			if sb := segBox(sg[0], sg[1]); sb.MinX <= box.MaxX && box.MinX <= sb.MaxX && sb.MinY <= box.MaxY && box.MinY <= sb.MaxY {
				out = append(out, i)
			}
		}
		return out
	}
	_ = b.tree.RangeSearch(box, func(i int) error {
		out = append(out, i)
		return nil
	})
	return out
}

// classify returns 1 when p is in the interior of the shape, 0 on its
// boundary and -1 outside.
func (b *boundaryIndex) classify(p orb.Point) int {
	if p[0] < b.bound.Min[0] || p[0] > b.bound.Max[0] || p[1] < b.bound.Min[1] || p[1] > b.bound.Max[1] {
		return -1
	}
	if b.segCount() >= locatorMinSegments {
		b.locOnce.Do(func() { b.loc = newAreaLocator(b) })
		return b.loc.locate(p)
	}
	return b.classifyLinear(p)
}

// classifyLinear is classify by a scan of every ring: pointInPolygon of
// each part.
func (b *boundaryIndex) classifyLinear(p orb.Point) int {
	best := -1
	for _, part := range b.parts {
		switch pointInPolygon(p, part) {
		case 1:
			return 1
		case 0:
			best = 0
		}
	}
	return best
}

// sideFacts is what one boundary's points are relative to the other shape.
type sideFacts struct {
	in, out bool // some boundary point strictly inside / strictly outside
}

// segPoint is a point of the other boundary lying on segment seg; segLink
// says segment seg runs along segment other of the other boundary.
type segPoint struct {
	seg int
	p   orb.Point
}

type segLink struct{ seg, other int }

// relateScratch is quickRelate's working memory, reused across calls: a
// city-scale check relates millions of pairs.
type relateScratch struct {
	splitsA, splitsB []segPoint
	alongA, alongB   []segLink
	near, aNear      []int
	xNear            []int // sideOf's segments of x near y
	pts              []orb.Point
}

var relateScratchPool = sync.Pool{New: func() any { return new(relateScratch) }}

func quickRelate(a, b *Shape) quickRel {
	ba, bb := a.boundary(), b.boundary()
	if !ba.ok || !bb.ok {
		return relUnknown
	}
	sc := relateScratchPool.Get().(*relateScratch)
	defer relateScratchPool.Put(sc)
	sc.splitsA, sc.splitsB = sc.splitsA[:0], sc.splitsB[:0]
	// Segments lying on the same line as a segment of the other shape:
	// only these can hold a piece that runs along the other boundary.
	sc.alongA, sc.alongB = sc.alongA[:0], sc.alongB[:0]
	pairs := 0
	overlap := rtree.Box{
		MinX: max(a.Bound.Min[0], b.Bound.Min[0]), MinY: max(a.Bound.Min[1], b.Bound.Min[1]),
		MaxX: min(a.Bound.Max[0], b.Bound.Max[0]), MaxY: min(a.Bound.Max[1], b.Bound.Max[1]),
	}
	sc.aNear = ba.segmentsNear(overlap, sc.aNear)
	for _, i := range sc.aNear {
		sa := ba.seg(i)
		sc.near = bb.segmentsNear(segBox(sa[0], sa[1]), sc.near)
		pairs += len(sc.near)
		if pairs > maxQuickSegmentPairs {
			return relUnknown
		}
		for _, j := range sc.near {
			sb := bb.seg(j)
			o1, o2 := orient(sb[0], sb[1], sa[0]), orient(sb[0], sb[1], sa[1])
			o3, o4 := orient(sa[0], sa[1], sb[0]), orient(sa[0], sa[1], sb[1])
			if o1*o2 < 0 && o3*o4 < 0 {
				return relUnknown // a proper crossing: the shapes overlap in part
			}
			if o1 == 0 && o2 == 0 {
				sc.alongA = append(sc.alongA, segLink{i, j})
				sc.alongB = append(sc.alongB, segLink{j, i})
			}
			// o3 and o4 are orient(sa, sb's ends); o1 and o2 the reverse.
			for k, v := range [2]orb.Point{sb[0], sb[1]} {
				if [2]int{o3, o4}[k] == 0 && inBox(sa[0], sa[1], v) && v != sa[0] && v != sa[1] {
					sc.splitsA = append(sc.splitsA, segPoint{i, v})
				}
			}
			for k, v := range [2]orb.Point{sa[0], sa[1]} {
				if [2]int{o1, o2}[k] == 0 && inBox(sb[0], sb[1], v) && v != sb[0] && v != sb[1] {
					sc.splitsB = append(sc.splitsB, segPoint{j, v})
				}
			}
		}
	}
	fa := sideOf(ba, bb, sc.splitsA, sc.alongA, sc, false)
	if fa.in && fa.out {
		return relUnknown
	}
	// With a's boundary inside b only "a within b" is left, and b's
	// boundary reaching inside a rules that out too.
	fb := sideOf(bb, ba, sc.splitsB, sc.alongB, sc, fa.in)
	if fa.in && fb.in {
		return relUnknown
	}
	pa, okA := ba.interiorPoints()
	pb, okB := bb.interiorPoints()
	if !okA || !okB {
		return relUnknown
	}
	interiorIn := func(pts []orb.Point, y *boundaryIndex) (all, any bool) {
		all = true
		for _, p := range pts {
			if y.classify(p) == 1 {
				any = true
			} else {
				all = false
			}
		}
		return all, any
	}
	aAll, aAny := interiorIn(pa, bb)
	bAll, bAny := interiorIn(pb, ba)
	switch {
	case !fa.in && !fb.in && !aAny && !bAny:
		return relDisjoint
	case !fa.out && !fb.in && aAll:
		return relAInB
	case !fb.out && !fa.in && bAll:
		return relBInA
	}
	return relUnknown
}

// sideOf classifies x's boundary against shape y: its vertices and the
// midpoints of its segments split where y's vertices touch them. With no
// proper crossing between the boundaries, those points stand for every
// boundary point of x. splits and along are sorted here, by x's segment.
// It stops once x is known to reach both inside and outside y, or, with
// stopIn, once it reaches inside: then no answer of quickRelate is left.
func sideOf(x, y *boundaryIndex, splits []segPoint, along []segLink, sc *relateScratch, stopIn bool) sideFacts {
	slices.SortStableFunc(splits, func(p, q segPoint) int { return p.seg - q.seg })
	slices.SortStableFunc(along, func(p, q segLink) int { return p.seg - q.seg })
	var f sideFacts
	note := func(c int) {
		switch c {
		case 1:
			f.in = true
		case -1:
			f.out = true
		}
	}
	// piece classifies the open segment p–q of x's segment, which meets
	// y's boundary at most at its ends or all along it (no proper
	// crossings, splits at y's vertices). Its midpoint decides, unless it
	// runs along one of y's segments (links): a rounded midpoint of a
	// shared edge may fall a hair off it.
	piece := func(links []segLink, p, q orb.Point) {
		if max(p[0], q[0]) < y.bound.Min[0] || min(p[0], q[0]) > y.bound.Max[0] ||
			max(p[1], q[1]) < y.bound.Min[1] || min(p[1], q[1]) > y.bound.Max[1] {
			note(-1) // wholly outside y's box, so outside y
			return
		}
		for _, l := range links {
			s := y.seg(l.other)
			if orient(s[0], s[1], p) == 0 && orient(s[0], s[1], q) == 0 && inBox(s[0], s[1], p) && inBox(s[0], s[1], q) {
				return
			}
		}
		note(y.classify(midpoint(p, q)))
	}
	// A segment of x whose box misses y's box is wholly outside y, its
	// vertex and its pieces alike: only the segments near y are
	// classified, and the rest only say that x reaches outside y. For a
	// zone or corridor paired with a small parcel that is a few segments
	// instead of thousands.
	sc.xNear = x.segmentsNear(rtree.Box{MinX: y.bound.Min[0], MinY: y.bound.Min[1], MaxX: y.bound.Max[0], MaxY: y.bound.Max[1]}, sc.xNear)
	if len(sc.xNear) < x.segCount() {
		f.out = true
	}
	slices.Sort(sc.xNear)
	si, li := 0, 0
	for _, i := range sc.xNear {
		if f.in && (f.out || stopIn) {
			return f
		}
		s := x.seg(i)
		note(y.classify(s[0]))
		// splits and along hold segments near the other shape only, a
		// subset of xNear, so earlier entries belong to skipped segments.
		for li < len(along) && along[li].seg < i {
			li++
		}
		lo := li
		for li < len(along) && along[li].seg == i {
			li++
		}
		links := along[lo:li]
		for si < len(splits) && splits[si].seg < i {
			si++
		}
		lo = si
		for si < len(splits) && splits[si].seg == i {
			si++
		}
		if lo == si {
			piece(links, s[0], s[1])
		} else {
			pts := append(sc.pts[:0], s[0])
			for _, sp := range splits[lo:si] {
				pts = append(pts, sp.p)
			}
			pts = append(pts, s[1])
			sc.pts = pts
			a := s[0]
			slices.SortFunc(pts, func(p, q orb.Point) int {
				dp := (p[0]-a[0])*(p[0]-a[0]) + (p[1]-a[1])*(p[1]-a[1])
				dq := (q[0]-a[0])*(q[0]-a[0]) + (q[1]-a[1])*(q[1]-a[1])
				switch {
				case dp < dq:
					return -1
				case dp > dq:
					return 1
				}
				return 0
			})
			for k := 0; k+1 < len(pts); k++ {
				if pts[k] != pts[k+1] {
					piece(links, pts[k], pts[k+1])
				}
			}
		}
	}
	return f
}

func midpoint(a, b orb.Point) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])/2, a[1] + (b[1]-a[1])/2}
}
