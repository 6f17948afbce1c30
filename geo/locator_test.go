package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/rtree"
)

// Differential tests of the indexed point-in-area locator and of
// quickRelate with it against the linear scans they replace, kept below
// as they were (classifyRef, quickRelateLinear, sideOfLinear): the reports
// must not change by a byte, so every answer must be the same, on
// vertices, edges, shared edges and in holes too.

// classifyRef is boundaryIndex.classify before the locator: the box test,
// then pointInPolygon of each part.
func (b *boundaryIndex) classifyRef(p orb.Point) int {
	if p[0] < b.bound.Min[0] || p[0] > b.bound.Max[0] || p[1] < b.bound.Min[1] || p[1] > b.bound.Max[1] {
		return -1
	}
	return b.classifyLinear(p)
}

// rawShape prepares g without NewShape's checks: the locator must agree
// with the scan on any rings, valid or not.
func rawShape(g orb.Geometry) *Shape {
	return &Shape{Geometry: g, Bound: BoundOf(g)}
}

// checkLocator compares the locator with the scan at every point of pts,
// and at every vertex and edge midpoint of the shape.
func checkLocator(t testing.TB, name string, g orb.Geometry, pts []orb.Point) {
	t.Helper()
	b := rawShape(g).boundary()
	if !b.ok {
		return
	}
	loc := newAreaLocator(b)
	all := slices.Clone(pts)
	for i := range b.segCount() {
		s := b.seg(i)
		all = append(all, s[0], s[1], midpoint(s[0], s[1]))
	}
	bad := 0
	for _, p := range all {
		if got, want := loc.locate(p), b.classifyLinear(p); got != want {
			bad++
			if bad <= 5 {
				t.Errorf("%s: locate(%v) = %d, linear scan %d", name, p, got, want)
			}
		}
	}
}

func reversedRing(r orb.Ring) orb.Ring {
	out := slices.Clone(r)
	slices.Reverse(out)
	return out
}

// locStar is a closed ring of n vertices at sorted angles around c with
// radii in [r/2, r], snapped to a grid of step grid (0: not snapped):
// snapping makes collinear edges, repeated vertices and horizontal edges
// through other vertices, the cases where exactness matters.
func locStar(rng *rand.Rand, c orb.Point, r float64, n int, grid float64) orb.Ring {
	angles := make([]float64, n)
	for i := range angles {
		angles[i] = 2 * math.Pi * rng.Float64()
	}
	slices.Sort(angles)
	ring := make(orb.Ring, 0, n+1)
	for _, a := range angles {
		rad := r * (0.5 + 0.5*rng.Float64())
		p := orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)}
		if grid > 0 {
			p = orb.Point{math.Round(p[0]/grid) * grid, math.Round(p[1]/grid) * grid}
		}
		ring = append(ring, p)
	}
	return append(ring, ring[0])
}

// gridPoints are the points of a grid of step over the box, and the
// centres of its cells.
func gridPoints(b orb.Bound, step float64) []orb.Point {
	var out []orb.Point
	for x := math.Floor(b.Min[0]/step) * step; x <= b.Max[0]+step; x += step / 2 {
		for y := math.Floor(b.Min[1]/step) * step; y <= b.Max[1]+step; y += step / 2 {
			out = append(out, orb.Point{x, y})
		}
	}
	return out
}

func TestAreaLocator(t *testing.T) {
	// Sketches: 0.01° squares near Changsha; the shared-edge case is two
	// squares of one MultiPolygon side by side:
	//
	//	+---+---+
	//	| a | b |   points on the shared edge are on the boundary of both
	//	+---+---+   parts, so the scan answers 0
	const x, y, d = 113.0, 28.0, 0.01
	hole := reversedRing(square(x+d, y+d, x+3*d, y+3*d))
	tests := []struct {
		name string
		g    orb.Geometry
	}{
		{"square", orb.Polygon{square(x, y, x+4*d, y+4*d)}},
		{"square with hole", orb.Polygon{square(x, y, x+4*d, y+4*d), hole}},
		{"shared edge", orb.MultiPolygon{{square(x, y, x+d, y+d)}, {square(x+d, y, x+2*d, y+d)}}},
		{"hole touching shell", orb.Polygon{square(x, y, x+4*d, y+4*d), reversedRing(orb.Ring{{x, y + d}, {x + d, y + 2*d}, {x, y + 3*d}, {x, y + d}})}},
		{"island in hole", orb.MultiPolygon{{square(x, y, x+4*d, y+4*d), hole}, {square(x+1.5*d, y+1.5*d, x+2.5*d, y+2.5*d)}}},
		{"repeated vertices", orb.Polygon{{{x, y}, {x, y}, {x + d, y}, {x + d, y + d}, {x + d, y + d}, {x, y + d}, {x, y}}}},
		{"empty part", orb.MultiPolygon{{}, {square(x, y, x+d, y+d)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLocator(t, tt.name, tt.g, gridPoints(BoundOf(tt.g), d/2))
		})
	}
}

func TestAreaLocatorRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for n := range 300 {
		grid := []float64{0, 1, 0.5, 1e-7}[n%4]
		scale := 100.0
		if grid == 1e-7 {
			scale = 1e-4 // lon/lat-like: metres of 1e-7 degrees
		}
		c := orb.Point{113, 28}
		if grid != 1e-7 {
			c = orb.Point{0, 0}
		}
		var mp orb.MultiPolygon
		for part := range 1 + rng.IntN(3) {
			pc := orb.Point{c[0] + float64(part)*scale*1.2, c[1]}
			shell := locStar(rng, pc, scale, 3+rng.IntN(400), grid)
			poly := orb.Polygon{shell}
			for range rng.IntN(3) {
				hc := orb.Point{pc[0] + scale*0.3*(rng.Float64()-0.5), pc[1] + scale*0.3*(rng.Float64()-0.5)}
				poly = append(poly, reversedRing(locStar(rng, hc, scale*0.2, 3+rng.IntN(60), grid)))
			}
			mp = append(mp, poly)
		}
		var pts []orb.Point
		b := mp.Bound()
		for range 400 {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*(rng.Float64()*1.2-0.1), b.Min[1] + (b.Max[1]-b.Min[1])*(rng.Float64()*1.2-0.1)}
			if grid > 0 {
				p = orb.Point{math.Round(p[0]/grid) * grid, math.Round(p[1]/grid) * grid}
			}
			pts = append(pts, p)
		}
		// Points at the height of a vertex: the ray runs through it.
		for _, p := range mp[0][0][:min(50, len(mp[0][0]))] {
			pts = append(pts, orb.Point{p[0] + scale*(rng.Float64()-0.5), p[1]})
		}
		pts = append(pts, orb.Point{math.NaN(), c[1]}, orb.Point{c[0], math.NaN()}, orb.Point{math.Inf(1), c[1]}, orb.Point{c[0], math.Inf(-1)})
		checkLocator(t, "random", mp, pts)
	}
}

// relatePair is a pair of shapes with boundaries that share vertices and
// edges: a, a fan of a's consecutive vertices and its centre (inside a),
// and a cap of the same vertices closed by a far point (outside a).
func relatePairs(rng *rand.Rand, grid float64) [][2]orb.Geometry {
	c := orb.Point{0, 0}
	a := locStar(rng, c, 100, 48+rng.IntN(300), grid)
	n := len(a) - 1
	i := rng.IntN(n)
	k := 2 + rng.IntN(n/2)
	var run []orb.Point
	for m := range k {
		run = append(run, a[(i+m)%n])
	}
	fan := append(orb.Ring{c}, run...)
	fan = append(fan, c)
	mid := run[len(run)/2]
	far := orb.Point{mid[0] * 3, mid[1] * 3}
	cap := append(slices.Clone(run), far, run[0])
	other := locStar(rng, orb.Point{50 * (rng.Float64() - 0.5), 50 * (rng.Float64() - 0.5)}, 100, 48+rng.IntN(200), grid)
	small := locStar(rng, orb.Point{20 * (rng.Float64() - 0.5), 20 * (rng.Float64() - 0.5)}, 10, 3+rng.IntN(60), grid)
	pa := orb.Polygon{a}
	return [][2]orb.Geometry{
		{pa, orb.Polygon{fan}}, {orb.Polygon{fan}, pa},
		{pa, orb.Polygon{cap}}, {orb.Polygon{cap}, pa},
		{pa, orb.Polygon{other}}, {pa, orb.Polygon{small}}, {orb.Polygon{small}, pa},
		{orb.Polygon{a, reversedRing(small)}, orb.Polygon{small}},
		{orb.MultiPolygon{{fan}, {cap}}, pa},
	}
}

func TestQuickRelateLocator(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	seen := map[quickRel]int{}
	for n := range 200 {
		grid := []float64{0, 1, 5}[n%3]
		for k, p := range relatePairs(rng, grid) {
			a, b := rawShape(p[0]), rawShape(p[1])
			got := quickRelate(a, b)
			want := quickRelateLinear(rawShape(p[0]), rawShape(p[1]))
			if got != want {
				t.Errorf("case %d/%d (grid %v): quickRelate = %v, linear scan %v", n, k, grid, got, want)
			}
			seen[got]++
			// sideOf alone, without the splits quickRelate finds: the same
			// facts for both boundaries.
			sc := new(relateScratch)
			for _, xy := range [2][2]*Shape{{a, b}, {b, a}} {
				x, y := xy[0].boundary(), xy[1].boundary()
				if got, want := sideOf(x, y, nil, nil, sc, false), sideOfLinear(x, y, nil, nil, sc); got != want {
					t.Errorf("case %d/%d (grid %v): sideOf = %+v, linear scan %+v", n, k, grid, got, want)
				}
			}
		}
	}
	// The cases must reach every answer, or they test little.
	for _, r := range []quickRel{relUnknown, relDisjoint, relAInB, relBInA} {
		if seen[r] < 20 {
			t.Errorf("quickRelate answered %v in %d cases only: %v", r, seen[r], seen)
		}
	}
}

// FuzzAreaLocator builds rings from the input and compares the locator
// with the scan at their vertices, edge midpoints and grid points. Each
// input byte either starts a new ring (0x00–0x0f), a new part
// (0x10–0x1f), or with the next byte is a vertex on a 16 × 16 grid.
func FuzzAreaLocator(f *testing.F) {
	f.Add([]byte{0x10, 0x20, 0x02, 0x2f, 0x02, 0x2f, 0x0f, 0x20, 0x0f, 0x20, 0x02})
	f.Add([]byte{0x10, 0x20, 0x20, 0x2a, 0x20, 0x2a, 0x2a, 0x20, 0x2a, 0x20, 0x20, 0x00, 0x22, 0x22, 0x24, 0x22, 0x24, 0x24, 0x22, 0x22})
	f.Fuzz(func(t *testing.T, data []byte) {
		var mp orb.MultiPolygon
		var ring orb.Ring
		flush := func() {
			if len(ring) > 0 {
				if len(mp) == 0 {
					mp = append(mp, nil)
				}
				mp[len(mp)-1] = append(mp[len(mp)-1], ring)
				ring = nil
			}
		}
		for i := 0; i < len(data); i++ {
			switch c := data[i]; {
			case c < 0x10:
				flush()
			case c < 0x20:
				flush()
				mp = append(mp, nil)
			case i+1 < len(data):
				ring = append(ring, orb.Point{float64(c&0x0f) + float64(c>>4&1)/2, float64(data[i+1]&0x0f) + float64(data[i+1]>>4&1)/2})
				i++
			}
		}
		flush()
		if len(mp) == 0 {
			return
		}
		// Enough edges for the tree to have levels.
		var pts []orb.Point
		for x := -1.0; x <= 17; x += 0.25 {
			for y := -1.0; y <= 17; y += 0.25 {
				pts = append(pts, orb.Point{x, y})
			}
		}
		checkLocator(t, "fuzz", mp, pts)
	})
}

func quickRelateLinear(a, b *Shape) quickRel {
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
	fa := sideOfLinear(ba, bb, sc.splitsA, sc.alongA, sc)
	if fa.in && fa.out {
		return relUnknown
	}
	fb := sideOfLinear(bb, ba, sc.splitsB, sc.alongB, sc)
	pa, okA := ba.interiorPoints()
	pb, okB := bb.interiorPoints()
	if !okA || !okB {
		return relUnknown
	}
	interiorIn := func(pts []orb.Point, y *boundaryIndex) (all, any bool) {
		all = true
		for _, p := range pts {
			if y.classifyRef(p) == 1 {
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
func sideOfLinear(x, y *boundaryIndex, splits []segPoint, along []segLink, sc *relateScratch) sideFacts {
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
		note(y.classifyRef(midpoint(p, q)))
	}
	si, li := 0, 0
	for i := range x.segCount() {
		s := x.seg(i)
		note(y.classifyRef(s[0]))
		lo := li
		for li < len(along) && along[li].seg == i {
			li++
		}
		links := along[lo:li]
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
		if f.in && f.out {
			return f
		}
	}
	return f
}

// zoneRing is a closed ring of n vertices around c like a digitised zone:
// a radius r that meanders smoothly, so a horizontal line crosses it a few
// times, not at every vertex as with locStar's random radii.
func zoneRing(rng *rand.Rand, c orb.Point, r float64, n int) orb.Ring {
	p1, p2 := 2*math.Pi*rng.Float64(), 2*math.Pi*rng.Float64()
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * (float64(i) + 0.4*(rng.Float64()-0.5)) / float64(n)
		rad := r * (1 + 0.2*math.Sin(3*a+p1) + 0.1*math.Sin(7*a+p2) + 0.002*(rng.Float64()-0.5))
		ring = append(ring, orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// BenchmarkLocate locates random points in the box of a polygon of n
// vertices: the indexed locator against the linear scan it replaces.
func BenchmarkLocate(b *testing.B) {
	for _, n := range []int{64, 512, 4096} {
		rng := rand.New(rand.NewPCG(14, uint64(n)))
		g := orb.Polygon{zoneRing(rng, orb.Point{113, 28}, 0.02, n)}
		bi := rawShape(g).boundary()
		pts := make([]orb.Point, 1024)
		for i := range pts {
			pts[i] = orb.Point{113 + 0.04*(rng.Float64()-0.5), 28 + 0.04*(rng.Float64()-0.5)}
		}
		b.Run(fmt.Sprintf("vertices=%d/locator", n), func(b *testing.B) {
			loc := newAreaLocator(bi)
			i := 0
			for b.Loop() {
				loc.locate(pts[i%len(pts)])
				i++
			}
		})
		b.Run(fmt.Sprintf("vertices=%d/linear", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				bi.classifyLinear(pts[i%len(pts)])
				i++
			}
		})
	}
}
