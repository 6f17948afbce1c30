package geo

import (
	"bytes"
	"fmt"

	"github.com/paulmach/orb"
)

// Writing geometry: the one GeoJSON geometry writer (reports, sources
// transcoded for the reader) and the point walkers other packages need.

// AppendGeoJSON writes g to buf as a GeoJSON geometry object, each
// coordinate written by coord (rounded for a report, exact for a
// transcoded source); nil is written as null. orb.Ring and orb.Bound
// are written as Polygons, and nil members of a Collection are left out.
func AppendGeoJSON(buf *bytes.Buffer, g orb.Geometry, coord func(dst []byte, v float64) []byte) error {
	if g == nil {
		buf.WriteString("null")
		return nil
	}
	var err error
	coords := func(typ string, write func()) {
		buf.WriteString(`{"type":"` + typ + `","coordinates":`)
		write()
		buf.WriteString("}")
	}
	point := func(p orb.Point) {
		if !isFinite(p[0]) || !isFinite(p[1]) {
			err = fmt.Errorf("non-finite coordinate %v %v", p[0], p[1])
		}
		// Appended in place: a city's report writes millions.
		b := append(buf.AvailableBuffer(), '[')
		b = coord(b, p[0])
		b = append(b, ',')
		b = coord(b, p[1])
		buf.Write(append(b, ']'))
	}
	// list writes n elements as a JSON array.
	list := func(n int, elem func(i int)) {
		buf.WriteString("[")
		for i := range n {
			if i > 0 {
				buf.WriteString(",")
			}
			elem(i)
		}
		buf.WriteString("]")
	}
	points := func(ps []orb.Point) { list(len(ps), func(i int) { point(ps[i]) }) }
	polygon := func(p orb.Polygon) { list(len(p), func(i int) { points(p[i]) }) }
	switch g := g.(type) {
	case orb.Point:
		coords("Point", func() { point(g) })
	case orb.MultiPoint:
		coords("MultiPoint", func() { points(g) })
	case orb.LineString:
		coords("LineString", func() { points(g) })
	case orb.MultiLineString:
		coords("MultiLineString", func() { list(len(g), func(i int) { points(g[i]) }) })
	case orb.Ring:
		coords("Polygon", func() { polygon(orb.Polygon{g}) })
	case orb.Bound:
		coords("Polygon", func() { polygon(g.ToPolygon()) })
	case orb.Polygon:
		coords("Polygon", func() { polygon(g) })
	case orb.MultiPolygon:
		coords("MultiPolygon", func() { list(len(g), func(i int) { polygon(g[i]) }) })
	case orb.Collection:
		buf.WriteString(`{"type":"GeometryCollection","geometries":[`)
		n := 0
		for _, m := range g {
			if m == nil {
				continue
			}
			if n > 0 {
				buf.WriteString(",")
			}
			n++
			if e := AppendGeoJSON(buf, m, coord); e != nil && err == nil {
				err = e
			}
		}
		buf.WriteString("]}")
	default:
		return fmt.Errorf("unsupported geometry type %T", g)
	}
	return err
}

// EachPoint calls fn with every position of g, in order (a ring's closing
// position included).
func EachPoint(g orb.Geometry, fn func(orb.Point)) {
	eachPart(g, func(p orb.Geometry) {
		switch p := p.(type) {
		case orb.Point:
			fn(p)
		case orb.LineString:
			for _, q := range p {
				fn(q)
			}
		case orb.Ring:
			for _, q := range p {
				fn(q)
			}
		case orb.Polygon:
			for _, r := range p {
				for _, q := range r {
					fn(q)
				}
			}
		case orb.Bound:
			for _, q := range p.ToPolygon()[0] {
				fn(q)
			}
		}
	})
}
