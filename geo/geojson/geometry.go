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
func (p *geomParser) add(msg geo.Text) {
	p.problems = append(p.problems, geo.Problem{Kind: geo.ProblemGeometry, Feature: p.feature, Line: p.line, Text: msg})
}

// coordinatesWanted says what the coordinates of each geometry type are.
var coordinatesWanted = map[string]geo.Text{
	"Point":           {Message: "a position (an array of numbers)", MessageZH: "一个位置（数的数组）"},
	"MultiPoint":      {Message: "an array of positions", MessageZH: "位置的数组"},
	"LineString":      {Message: "an array of positions", MessageZH: "位置的数组"},
	"MultiLineString": {Message: "an array of line strings (arrays of positions)", MessageZH: "线的数组（位置数组的数组）"},
	"Polygon":         {Message: "an array of linear rings (arrays of positions)", MessageZH: "线性环的数组（位置数组的数组）"},
	"MultiPolygon":    {Message: "an array of polygons (arrays of linear rings)", MessageZH: "多边形的数组（线性环数组的数组）"},
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
		p.add(geo.Textf("geometry is %s, not a GeoJSON geometry object", "geometry 是%s，不是 GeoJSON 几何对象", kindOf(raw)))
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
		p.add(geo.Text{Message: "geometry has no \"type\" member", MessageZH: "geometry 没有 \"type\" 成员"})
		return nil, nil
	}
	typ, err := unquote(bytes.TrimSpace(rawType))
	if err != nil {
		p.add(geo.Textf("geometry \"type\" is %s, not a string", "geometry 的 \"type\" 是%s，不是字符串", kindOf(rawType)))
		return nil, nil
	}
	if typ == "GeometryCollection" {
		return p.collection(ms, depth)
	}
	coords, ok := lookup(ms, "coordinates")
	if !ok || bytes.Equal(bytes.TrimSpace(coords), []byte("null")) {
		if typeKnown(typ) {
			p.add(geo.Textf("%s has no \"coordinates\" member", "%s 没有 \"coordinates\" 成员", typ))
		} else {
			p.add(geo.Textf("unknown geometry type %q", "未知的几何类型 %q", typ))
		}
		return nil, nil
	}
	want, known := coordinatesWanted[typ]
	if !known {
		p.add(geo.Textf("unknown geometry type %q", "未知的几何类型 %q", typ))
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
		p.add(geo.Textf("geometry has %d positions, more than the limit of %d (--max-vertices)", "几何有 %d 个位置，超过上限 %d（--max-vertices）", c.positions, c.max))
		return nil, nil
	}
	var se *shapeError
	switch {
	case err == nil:
		return g, nil
	case errors.As(err, &se):
		if se == errWrongShape {
			p.add(geo.Textf("coordinates of a %s must be %s", "%s 的 coordinates 必须是%s", typ, want))
		} else {
			p.add(se.msg)
		}
		return nil, nil
	}
	return nil, err
}

func (p *geomParser) collection(ms []member, depth int) (orb.Geometry, error) {
	if depth > 0 {
		p.add(geo.Text{Message: "nested GeometryCollection (RFC 7946 §3.1.8 says they should not nest)", MessageZH: "GeometryCollection 嵌套（RFC 7946 §3.1.8 规定不应嵌套）"})
		return nil, nil
	}
	rawGeoms, ok := lookup(ms, "geometries")
	var parts []json.RawMessage
	if !ok || json.Unmarshal(rawGeoms, &parts) != nil || parts == nil {
		p.add(geo.Text{Message: "GeometryCollection has no \"geometries\" array", MessageZH: "GeometryCollection 没有 \"geometries\" 数组"})
		return nil, nil
	}
	c := orb.Collection{}
	for _, m := range parts {
		if bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
			p.add(geo.Text{Message: "null member in a GeometryCollection", MessageZH: "GeometryCollection 中有 null 成员"})
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
