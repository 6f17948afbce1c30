package geo

import (
	"fmt"

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
