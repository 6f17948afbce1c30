package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	gogeom "github.com/twpayne/go-geom"
)

// ToGoGeom converts an orb geometry (lon/lat) to github.com/twpayne/go-geom,
// the model of its WKB/EWKB and KML encoders.
func ToGoGeom(g orb.Geometry) (gogeom.T, error) {
	coords := func(ps []orb.Point) []gogeom.Coord {
		out := make([]gogeom.Coord, len(ps))
		for i, p := range ps {
			out[i] = gogeom.Coord{p[0], p[1]}
		}
		return out
	}
	rings := func(p orb.Polygon) [][]gogeom.Coord {
		out := make([][]gogeom.Coord, len(p))
		for i, r := range p {
			out[i] = coords(r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return gogeom.NewPointFlat(gogeom.XY, []float64{g[0], g[1]}), nil
	case orb.MultiPoint:
		return gogeom.NewMultiPoint(gogeom.XY).MustSetCoords(coords(g)), nil
	case orb.LineString:
		return gogeom.NewLineString(gogeom.XY).MustSetCoords(coords(g)), nil
	case orb.MultiLineString:
		parts := make([][]gogeom.Coord, len(g))
		for i, l := range g {
			parts[i] = coords(l)
		}
		return gogeom.NewMultiLineString(gogeom.XY).MustSetCoords(parts), nil
	case orb.Ring:
		return gogeom.NewPolygon(gogeom.XY).MustSetCoords([][]gogeom.Coord{coords(g)}), nil
	case orb.Polygon:
		return gogeom.NewPolygon(gogeom.XY).MustSetCoords(rings(g)), nil
	case orb.MultiPolygon:
		parts := make([][][]gogeom.Coord, len(g))
		for i, p := range g {
			parts[i] = rings(p)
		}
		return gogeom.NewMultiPolygon(gogeom.XY).MustSetCoords(parts), nil
	case orb.Bound:
		return ToGoGeom(g.ToPolygon())
	case orb.Collection:
		c := gogeom.NewGeometryCollection()
		for _, m := range g {
			if m == nil {
				continue
			}
			t, err := ToGoGeom(m)
			if err != nil {
				return nil, err
			}
			if err := c.Push(t); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("geo: cannot convert %T", g)
}

// FromGoGeom converts a go-geom geometry (as its WKB and EWKB decoders
// return it) to orb, keeping x and y of each position: Z and M are
// dropped, orb being 2-D. An empty geometry becomes the empty orb value of
// its type; an empty point, which orb cannot hold, and the types plans do
// not use (GeometryCollection) are errors. nil gives nil.
func FromGoGeom(t gogeom.T) (orb.Geometry, error) {
	points := func(flat []float64, stride int) []orb.Point {
		ps := make([]orb.Point, 0, len(flat)/max(stride, 1))
		for i := 0; i+1 < len(flat); i += stride {
			ps = append(ps, orb.Point{flat[i], flat[i+1]})
		}
		return ps
	}
	polygon := func(g *gogeom.Polygon) orb.Polygon {
		p := orb.Polygon{}
		for i := range g.NumLinearRings() {
			r := g.LinearRing(i)
			p = append(p, orb.Ring(points(r.FlatCoords(), r.Stride())))
		}
		return p
	}
	switch g := t.(type) {
	case nil:
		return nil, nil
	case *gogeom.Point:
		if g.Empty() {
			return nil, errors.New("geo: an empty point has no orb value")
		}
		c := g.FlatCoords()
		return orb.Point{c[0], c[1]}, nil
	case *gogeom.LineString:
		return orb.LineString(points(g.FlatCoords(), g.Stride())), nil
	case *gogeom.Polygon:
		return polygon(g), nil
	case *gogeom.MultiPoint:
		mp := orb.MultiPoint{}
		for i := range g.NumPoints() {
			p := g.Point(i)
			if p.Empty() || math.IsNaN(p.X()) && math.IsNaN(p.Y()) {
				return nil, errors.New("geo: an empty point has no orb value")
			}
			mp = append(mp, orb.Point{p.X(), p.Y()})
		}
		return mp, nil
	case *gogeom.MultiLineString:
		ml := orb.MultiLineString{}
		for i := range g.NumLineStrings() {
			l := g.LineString(i)
			ml = append(ml, orb.LineString(points(l.FlatCoords(), l.Stride())))
		}
		return ml, nil
	case *gogeom.MultiPolygon:
		mp := orb.MultiPolygon{}
		for i := range g.NumPolygons() {
			mp = append(mp, polygon(g.Polygon(i)))
		}
		return mp, nil
	}
	return nil, fmt.Errorf("geo: a %T is not a plan geometry", t)
}
