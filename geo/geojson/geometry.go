package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/plancheck/plancheck/geo"
)

// geomParser reads one feature's geometry object in source coordinates;
// geo.Assemble places and checks it once the layer's CRS is known.
type geomParser struct {
	arena       *coordArena
	feature     int
	line        int
	maxVertices int
	problems    []geo.Problem
}

// add records a geometry problem; the first is the feature's.
func (p *geomParser) add(format string, args ...any) {
	p.problems = append(p.problems, geo.Problem{Kind: geo.ProblemGeometry, Feature: p.feature, Line: p.line, Message: fmt.Sprintf(format, args...)})
}

// coordinatesWanted says what the coordinates of each geometry type are.
var coordinatesWanted = map[string]string{
	"Point":           "a position (an array of numbers)",
	"MultiPoint":      "an array of positions",
	"LineString":      "an array of positions",
	"MultiLineString": "an array of line strings (arrays of positions)",
	"Polygon":         "an array of linear rings (arrays of positions)",
	"MultiPolygon":    "an array of polygons (arrays of linear rings)",
}

// parseGeometry reads a geometry object into orb geometry in the layer's
// source coordinates. Shape problems become the feature's geometry problem
// (the first one); malformed JSON is returned as an error.
func (p *geomParser) parseGeometry(raw []byte, depth int) (orb.Geometry, error) {
	ms, err := objectMembers(raw)
	return p.parseMembers(raw, ms, err, depth)
}

// parseMembers is parseGeometry on an object already split into members
// (ms and err as objectMembers returned them).
func (p *geomParser) parseMembers(raw []byte, ms []member, err error, depth int) (orb.Geometry, error) {
	if err == errNotObject {
		if !json.Valid(raw) {
			return nil, &syntaxError{msg: "malformed geometry"}
		}
		p.add("geometry is %s, not a GeoJSON geometry object", kindOf(raw))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Name != "coordinates" && !json.Valid(m.Value) {
			return nil, &syntaxError{msg: fmt.Sprintf("malformed geometry member %q", m.Name)}
		}
	}
	rawType, ok := lookup(ms, "type")
	if !ok {
		p.add("geometry has no \"type\" member")
		return nil, nil
	}
	typ, err := unquote(bytes.TrimSpace(rawType))
	if err != nil {
		p.add("geometry \"type\" is %s, not a string", kindOf(rawType))
		return nil, nil
	}
	if typ == "GeometryCollection" {
		return p.collection(ms, depth)
	}
	coords, ok := lookup(ms, "coordinates")
	if !ok || bytes.Equal(bytes.TrimSpace(coords), []byte("null")) {
		if typeKnown(typ) {
			p.add("%s has no \"coordinates\" member", typ)
		} else {
			p.add("unknown geometry type %q", typ)
		}
		return nil, nil
	}
	want := coordinatesWanted[typ]
	if want == "" {
		p.add("unknown geometry type %q", typ)
		return nil, nil
	}
	c := &coordScanner{sliceScanner: sliceScanner{b: coords}, max: p.maxVertices, arena: p.arena}
	defer c.release()
	var g orb.Geometry
	switch typ {
	case "Point":
		var pt orb.Point
		pt, err = c.position()
		g = pt
	case "MultiPoint":
		var pts []orb.Point
		pts, err = c.positionList()
		g = orb.MultiPoint(pts)
	case "LineString":
		var pts []orb.Point
		pts, err = c.positionList()
		g = orb.LineString(pts)
	case "MultiLineString":
		var ls [][]orb.Point
		ls, err = c.lists2()
		mls := make(orb.MultiLineString, len(ls))
		for i, l := range ls {
			mls[i] = l
		}
		g = mls
	case "Polygon":
		var rs [][]orb.Point
		rs, err = c.lists2()
		g = p.arena.polygon(rs)
	case "MultiPolygon":
		var ps [][][]orb.Point
		ps, err = c.lists3()
		mp := make(orb.MultiPolygon, len(ps))
		for i, rs := range ps {
			mp[i] = p.arena.polygon(rs)
		}
		g = mp
	}
	if err == nil {
		err = c.end()
	}
	if err == nil && c.max > 0 && c.positions > c.max {
		// The feature's text was already read (the file-size limit bounds
		// it); the limit keeps the overlay from hours on one polygon.
		p.add("geometry has %d positions, more than the limit of %d (--max-vertices)", c.positions, c.max)
		return nil, nil
	}
	var se *shapeError
	switch {
	case err == nil:
		return g, nil
	case errors.As(err, &se):
		if se == errWrongShape {
			p.add("coordinates of a %s must be %s", typ, want)
		} else {
			p.add("%s", se.msg)
		}
		return nil, nil
	}
	return nil, err
}

func (p *geomParser) collection(ms []member, depth int) (orb.Geometry, error) {
	if depth > 0 {
		p.add("nested GeometryCollection (RFC 7946 §3.1.8 says they should not nest)")
		return nil, nil
	}
	rawGeoms, ok := lookup(ms, "geometries")
	var parts []json.RawMessage
	if !ok || json.Unmarshal(rawGeoms, &parts) != nil || parts == nil {
		p.add("GeometryCollection has no \"geometries\" array")
		return nil, nil
	}
	c := orb.Collection{}
	for _, m := range parts {
		if bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
			p.add("null member in a GeometryCollection")
			return nil, nil
		}
		g, err := p.parseGeometry(m, depth+1)
		if err != nil || len(p.problems) > 0 {
			return nil, err
		}
		c = append(c, g)
	}
	return c, nil
}

func typeKnown(t string) bool {
	switch t {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		return true
	}
	return false
}
