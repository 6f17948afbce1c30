package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// Conversions between orb (the model callers see) and simplefeatures (the
// overlay engine). Every other file goes through these.

func toSF(g orb.Geometry) (geom.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return geom.Geometry{}, nil
	case orb.Point:
		return geom.NewPointXY(g[0], g[1]).AsGeometry(), nil
	case orb.MultiPoint:
		return geom.NewMultiPointXY(flattenPoints(g)...).AsGeometry(), nil
	case orb.LineString:
		return geom.NewLineStringXY(flattenPoints(g)...).AsGeometry(), nil
	case orb.MultiLineString:
		parts := make([][]float64, len(g))
		for i, l := range g {
			parts[i] = flattenPoints(l)
		}
		return geom.NewMultiLineStringXY(parts...).AsGeometry(), nil
	case orb.Ring:
		return sfPolygon(orb.Polygon{g}).AsGeometry(), nil
	case orb.Polygon:
		return sfPolygon(g).AsGeometry(), nil
	case orb.MultiPolygon:
		polys := make([]geom.Polygon, len(g))
		for i, p := range g {
			polys[i] = sfPolygon(p)
		}
		return geom.NewMultiPolygon(polys).AsGeometry(), nil
	case orb.Collection:
		gs := make([]geom.Geometry, len(g))
		for i, c := range g {
			sg, err := toSF(c)
			if err != nil {
				return geom.Geometry{}, err
			}
			gs[i] = sg
		}
		return geom.NewGeometryCollection(gs).AsGeometry(), nil
	case orb.Bound:
		return sfPolygon(g.ToPolygon()).AsGeometry(), nil
	}
	return geom.Geometry{}, fmt.Errorf("geo: unsupported geometry %T", g)
}

// overlayable reports whether toSF can convert g, without converting it.
func overlayable(g orb.Geometry) error {
	switch g := g.(type) {
	case nil, orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Ring, orb.Polygon, orb.MultiPolygon, orb.Bound:
		return nil
	case orb.Collection:
		for _, c := range g {
			if err := overlayable(c); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("geo: unsupported geometry %T", g)
}

func sfPolygon(p orb.Polygon) geom.Polygon {
	rings := make([]geom.LineString, len(p))
	for i, r := range p {
		rings[i] = geom.NewLineStringXY(flattenPoints(r)...)
	}
	return geom.NewPolygon(rings)
}

func flattenPoints[T ~[]orb.Point](pts T) []float64 {
	out := make([]float64, 0, 2*len(pts))
	for _, p := range pts {
		out = append(out, p[0], p[1])
	}
	return out
}

func fromSF(g geom.Geometry) orb.Geometry {
	switch g.Type() {
	case geom.TypePoint:
		xy, ok := g.MustAsPoint().XY()
		if !ok {
			return nil
		}
		return orb.Point{xy.X, xy.Y}
	case geom.TypeMultiPoint:
		mp := g.MustAsMultiPoint()
		out := make(orb.MultiPoint, 0, mp.NumPoints())
		for i := 0; i < mp.NumPoints(); i++ {
			if xy, ok := mp.PointN(i).XY(); ok {
				out = append(out, orb.Point{xy.X, xy.Y})
			}
		}
		return out
	case geom.TypeLineString:
		return orb.LineString(seqPoints(g.MustAsLineString().Coordinates()))
	case geom.TypeMultiLineString:
		ml := g.MustAsMultiLineString()
		out := make(orb.MultiLineString, ml.NumLineStrings())
		for i := range out {
			out[i] = orb.LineString(seqPoints(ml.LineStringN(i).Coordinates()))
		}
		return out
	case geom.TypePolygon:
		return orbPolygon(g.MustAsPolygon())
	case geom.TypeMultiPolygon:
		mp := g.MustAsMultiPolygon()
		out := make(orb.MultiPolygon, 0, mp.NumPolygons())
		for i := 0; i < mp.NumPolygons(); i++ {
			if p := orbPolygon(mp.PolygonN(i)); len(p) > 0 {
				out = append(out, p)
			}
		}
		return out
	case geom.TypeGeometryCollection:
		gc := g.MustAsGeometryCollection()
		out := make(orb.Collection, 0, gc.NumGeometries())
		for i := 0; i < gc.NumGeometries(); i++ {
			if c := fromSF(gc.GeometryN(i)); c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}

func orbPolygon(p geom.Polygon) orb.Polygon {
	if p.IsEmpty() {
		return nil
	}
	out := make(orb.Polygon, 0, 1+p.NumInteriorRings())
	out = append(out, orb.Ring(seqPoints(p.ExteriorRing().Coordinates())))
	for i := 0; i < p.NumInteriorRings(); i++ {
		out = append(out, orb.Ring(seqPoints(p.InteriorRingN(i).Coordinates())))
	}
	return out
}

func seqPoints(s geom.Sequence) []orb.Point {
	out := make([]orb.Point, s.Length())
	for i := range out {
		xy := s.GetXY(i)
		out[i] = orb.Point{xy.X, xy.Y}
	}
	return out
}
