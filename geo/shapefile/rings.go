package shapefile

import (
	"sort"

	"github.com/paulmach/orb"
)

// assemble builds polygons from the closed rings of one Polygon record, as
// the Shapefile Technical Description defines them: a clockwise ring is an
// exterior ring and starts a polygon; a counter-clockwise ring is a hole of
// the exterior ring that contains it. Writers do not all put a hole right
// after its exterior ring, so containment is tested, not the order trusted;
// of nested exteriors (an island in a lake in an island) the hole goes to
// the smallest one that contains it. A counter-clockwise ring that no
// exterior contains breaks the format's rule; like GDAL, it is read as an
// exterior ring of its own, and orphan says so.
//
// The result is in RFC 7946 orientation (exteriors counter-clockwise,
// holes clockwise), as geo stores polygons, made by reversing rings in
// place: no point is moved, added or removed. One polygon is an
// orb.Polygon, more an orb.MultiPolygon, in the order of their exterior
// rings in the record.
func assemble(rings []orb.Ring) (g orb.Geometry, orphan bool) {
	if len(rings) == 1 {
		r := rings[0]
		a := signedArea(r)
		if a < 0 {
			reverse(r)
		}
		return orb.Polygon{r}, a > 0
	}
	type ringInfo struct {
		area  float64 // signed: negative is clockwise
		bound orb.Bound
		poly  int // index into polys of the polygon it belongs to
	}
	info := make([]ringInfo, len(rings))
	var shells []int
	for i, r := range rings {
		info[i] = ringInfo{area: signedArea(r), bound: r.Bound(), poly: -1}
		// A ring of zero area has no orientation; taking it as an
		// exterior keeps it visible, where validity checks will find it.
		if info[i].area <= 0 {
			shells = append(shells, i)
		}
	}
	type poly struct {
		first int // the ring that starts it, for the output order
		rings orb.Polygon
	}
	var polys []poly
	for _, s := range shells {
		info[s].poly = len(polys)
		polys = append(polys, poly{first: s, rings: orb.Polygon{rings[s]}})
	}
	for i, r := range rings {
		if info[i].area <= 0 {
			continue
		}
		best := -1
		for _, s := range shells {
			if !containsBound(info[s].bound, info[i].bound) || !ringInRing(r, rings[s]) {
				continue
			}
			if best < 0 || -info[s].area < -info[best].area {
				best = s
			}
		}
		if best < 0 {
			orphan = true
			polys = append(polys, poly{first: i, rings: orb.Polygon{r}})
			continue
		}
		p := &polys[info[best].poly]
		p.rings = append(p.rings, r)
	}
	sort.SliceStable(polys, func(a, b int) bool { return polys[a].first < polys[b].first })
	for _, p := range polys {
		for k, r := range p.rings {
			a := signedArea(r)
			if (k == 0 && a < 0) || (k > 0 && a > 0) {
				reverse(r)
			}
		}
	}
	if len(polys) == 1 {
		return polys[0].rings, orphan
	}
	mp := make(orb.MultiPolygon, len(polys))
	for i, p := range polys {
		mp[i] = p.rings
	}
	return mp, orphan
}

// signedArea is twice the ring's area by the shoelace formula, positive
// for counter-clockwise rings (y up). Coordinates are taken relative to
// the first point, so projected metres in the millions (Gauss–Krüger
// eastings with a zone prefix) lose no precision to the products.
func signedArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s
}

func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

func containsBound(outer, inner orb.Bound) bool {
	return inner.Min[0] >= outer.Min[0] && inner.Max[0] <= outer.Max[0] &&
		inner.Min[1] >= outer.Min[1] && inner.Max[1] <= outer.Max[1]
}

// ringInRing reports whether ring in lies inside ring out. A hole may
// touch its exterior at vertices, so the first vertex of in that is not on
// the boundary of out decides; failing that, the first edge midpoint that
// is not. A ring lying wholly on the other's boundary counts as inside.
func ringInRing(in, out orb.Ring) bool {
	for _, p := range in {
		if s := side(p, out); s != onBoundary {
			return s == inside
		}
	}
	for i := 0; i+1 < len(in); i++ {
		m := orb.Point{(in[i][0] + in[i+1][0]) / 2, (in[i][1] + in[i+1][1]) / 2}
		if s := side(m, out); s != onBoundary {
			return s == inside
		}
	}
	return true
}

const (
	outside = iota
	inside
	onBoundary
)

// side locates p against the closed ring r by the crossing number,
// noting points on an edge exactly.
func side(p orb.Point, r orb.Ring) int {
	in := false
	x, y := p[0], p[1]
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if onSegment(p, a, b) {
			return onBoundary
		}
		if (a[1] > y) != (b[1] > y) {
			// x of the edge at height y.
			xi := a[0] + (y-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if x < xi {
				in = !in
			}
		}
	}
	if in {
		return inside
	}
	return outside
}

func onSegment(p, a, b orb.Point) bool {
	if p[0] < min(a[0], b[0]) || p[0] > max(a[0], b[0]) || p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) {
		return false
	}
	return (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) == 0
}
