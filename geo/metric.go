package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// Distances to lines and borders are measured in a transverse Mercator
// centred on the place measured: within a few kilometres of the central
// meridian its scale error is below 1e-6, far under the tolerances
// (hundreds of metres) these measures are compared with.

// PointDistanceM returns the distance in metres from p to the nearest
// point of g (its lines, or its polygon boundary and interior: 0 inside).
func PointDistanceM(p orb.Point, g orb.Geometry) float64 {
	tm := TransverseMercator(p[0])
	px, py := tm.FromLonLat(p[0], p[1])
	q := orb.Point{px, py}
	best := math.Inf(1)
	seg := func(pts []orb.Point) {
		var prev orb.Point
		for i, v := range pts {
			x, y := tm.FromLonLat(v[0], v[1])
			cur := orb.Point{x, y}
			if i == 0 {
				if d := math.Hypot(cur[0]-q[0], cur[1]-q[1]); d < best {
					best = d
				}
			} else if d := segmentDistance(q, prev, cur); d < best {
				best = d
			}
			prev = cur
		}
	}
	eachPart(g, func(part orb.Geometry) {
		switch part := part.(type) {
		case orb.Point:
			seg([]orb.Point{part})
		case orb.LineString:
			seg(part)
		case orb.Polygon:
			if polygonContains(part, p) {
				best = 0
				return
			}
			for _, r := range part {
				seg(r)
			}
		}
	})
	return best
}

func segmentDistance(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}

// polygonContains is an even-odd point-in-polygon test (boundary counts as
// outside; callers also measure the boundary distance).
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	in := false
	for _, r := range poly {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
	}
	return in
}

// BorderLines returns the part of a's boundary that lies within reachM
// metres of b: ST_Intersection(ST_Boundary(a), ST_Buffer(b, reach)) made in
// a transverse Mercator centred on the pair. Nil when they are farther
// apart than the reach.
func BorderLines(a, b *Shape, reachM float64) (orb.Geometry, error) {
	if !(reachM >= 0) || math.IsInf(reachM, 0) {
		return nil, fmt.Errorf("geo: border reach %v m is not a finite number >= 0", reachM)
	}
	center := a.Bound.Union(b.Bound).Center()
	tm := TransverseMercator(center[0])
	pa, err := toSF(Transform(boundaryOf(a.Geometry), tm.FromLonLat))
	if err != nil {
		return nil, err
	}
	pb, err := toSF(Transform(b.Geometry, tm.FromLonLat))
	if err != nil {
		return nil, err
	}
	zone, err := geom.Buffer(pb, reachM, geom.BufferQuadSegments(CorridorQuadSegments))
	if err != nil {
		return nil, fmt.Errorf("geo: buffering border: %w", err)
	}
	out, err := geom.Intersection(pa, zone)
	if err != nil {
		return nil, fmt.Errorf("geo: border overlay failed: %w", err)
	}
	lines := lineal(fromSF(out))
	if lines == nil {
		return nil, nil
	}
	return Transform(lines, tm.ToLonLat), nil
}

// boundaryOf returns the rings of a polygonal geometry as lines.
func boundaryOf(g orb.Geometry) orb.Geometry {
	var out orb.MultiLineString
	eachPart(g, func(p orb.Geometry) {
		if p, ok := p.(orb.Polygon); ok {
			for _, r := range p {
				out = append(out, orb.LineString(r))
			}
		}
	})
	return out
}

// lineal keeps the lines of g as a MultiLineString, or nil.
func lineal(g orb.Geometry) orb.Geometry {
	var out orb.MultiLineString
	eachPart(g, func(p orb.Geometry) {
		if l, ok := p.(orb.LineString); ok && len(l) > 1 {
			out = append(out, l)
		}
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// Endpoints returns the first and last point of every part of a lineal
// geometry, in order.
func Endpoints(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.LineString:
		if len(g) > 0 {
			out = append(out, g[0], g[len(g)-1])
		}
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, Endpoints(l)...)
		}
	}
	return out
}

// PointCount is the number of positions of g, closing positions included.
func PointCount(g orb.Geometry) int {
	n := 0
	eachPart(g, func(p orb.Geometry) {
		switch p := p.(type) {
		case orb.Point:
			n++
		case orb.LineString:
			n += len(p)
		case orb.Ring:
			n += len(p)
		case orb.Polygon:
			for _, r := range p {
				n += len(r)
			}
		case orb.Bound:
			n += 5
		}
	})
	return n
}

// BoundOf is g.Bound(), faster for polygons: orb's version goes through
// math.Min and math.Max, whose NaN handling finite coordinates do not need,
// and candidate search computes millions of bounds.
func BoundOf(g orb.Geometry) orb.Bound {
	switch g := g.(type) {
	case nil:
		return orb.Bound{} // no geometry: not a panic in a caller's loop
	case orb.Polygon:
		if len(g) > 0 && len(g[0]) > 0 {
			return pointsBound(g[0])
		}
	case orb.MultiPolygon:
		var b orb.Bound
		first := true
		for _, p := range g {
			if len(p) == 0 || len(p[0]) == 0 {
				continue
			}
			pb := pointsBound(p[0])
			if first {
				b, first = pb, false
				continue
			}
			b.Min[0], b.Min[1] = min(b.Min[0], pb.Min[0]), min(b.Min[1], pb.Min[1])
			b.Max[0], b.Max[1] = max(b.Max[0], pb.Max[0]), max(b.Max[1], pb.Max[1])
		}
		if !first {
			return b
		}
	}
	return g.Bound()
}

// pointsBound is the box of a non-empty point list (a polygon's box is its
// shell's).
func pointsBound(pts []orb.Point) orb.Bound {
	b := orb.Bound{Min: pts[0], Max: pts[0]}
	for _, p := range pts[1:] {
		if p[0] < b.Min[0] {
			b.Min[0] = p[0]
		} else if p[0] > b.Max[0] {
			b.Max[0] = p[0]
		}
		if p[1] < b.Min[1] {
			b.Min[1] = p[1]
		} else if p[1] > b.Max[1] {
			b.Max[1] = p[1]
		}
	}
	return b
}
