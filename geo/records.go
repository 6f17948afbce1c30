package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Record is one feature of a layer held in a format other than GeoJSON: a
// Shapefile record, a GeoPackage row, a database row. Its reader has
// already decoded the geometry; BuildLayer checks it as geo/geojson checks
// a GeoJSON feature.
type Record struct {
	// Number is where messages about the record point (a record number,
	// a fid, a row); it takes the place of a GeoJSON feature's line.
	Number int
	// Geometry is in the layer's CRS (ReadOptions.CRS); nil for none.
	Geometry orb.Geometry
	// Problem says why the reader could not decode the geometry; the
	// feature then has that geometry problem and no geometry.
	Problem    Text
	Properties []Property
}

// Property is one attribute of a Record. Value is nil, a string, an
// int64, a float64 or a bool; other values are read as their text.
type Property struct {
	Name  string
	Value any
}

// recordChunk is how many records one worker places at a time.
const recordChunk = 1024

// BuildLayer reads n records, given by record in feature order, into a
// Layer as geo/geojson reads a FeatureCollection: the same coordinate, ring,
// geometry type, vertex limit and OGC validity checks and the same
// attribute typing (ReadOptions.Attributes, Consume), so a format other
// than GeoJSON is judged exactly as GeoJSON is. Features' and problems'
// Line is the record's Number. The layer's CRS is opts.CRS (WGS84 when
// nil); File is name and SHA256 is left for the caller, who knows the
// source's bytes.
func BuildLayer(ctx context.Context, name string, n int, record func(i int) Record, opts ReadOptions) (*Layer, error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = DefaultMaxVertices
	}
	d := &builder{ctx: ctx, opts: opts}
	crs := WGS84
	if opts.CRS != nil {
		crs = *opts.CRS
	}
	var raws [][]RawFeature
	var members []RawProperty
	var text []byte
	for i := 0; i < n; i++ {
		if i%recordChunk == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			raws = append(raws, make([]RawFeature, 0, min(recordChunk, n-i)))
		}
		r := record(i)
		rf := RawFeature{Feature: Feature{Index: i, Line: r.Number}}
		members, text = recordMembers(members[:0], text[:0], r.Properties)
		if opts.Attributes != nil {
			rf.SetAttributes(opts.Attributes(PropertiesOf(members)))
		} else {
			rf.Properties = make(map[string]any, len(members))
			for _, m := range members {
				rf.Properties[m.Name], _ = propertyValue(m.Value)
			}
		}
		switch {
		case r.Problem.Message != "":
			rf.AddProblem(Problem{Kind: ProblemGeometry, Feature: i, Line: r.Number, Text: r.Problem})
		case r.Geometry == nil:
		default:
			rf.hasGeom = true
			if count := PointCount(r.Geometry); count > opts.MaxVertices {
				p := d.placer(i, r.Number)
				p.add(nil, Textf("geometry has %d positions, more than the limit of %d (--max-vertices)", "几何有 %d 个位置，超过上限 %d（--max-vertices）", count, opts.MaxVertices))
				rf.setGeomProblems(p.problems)
				break
			}
			rf.Geometry = r.Geometry
		}
		raws[len(raws)-1] = append(raws[len(raws)-1], rf)
	}
	layer, err := d.assemble(raws, &Layer{CRS: crs})
	if err != nil {
		return nil, err
	}
	layer.File = name
	return layer, nil
}

// recordMembers writes properties as JSON members, the form the
// Properties view reads; the values' text is appended to text, which the
// members point into.
func recordMembers(ms []RawProperty, text []byte, props []Property) ([]RawProperty, []byte) {
	offsets := make([]int, 0, len(props)+1)
	for _, p := range props {
		offsets = append(offsets, len(text))
		text = appendJSONValue(text, p.Value)
	}
	offsets = append(offsets, len(text))
	for i, p := range props {
		ms = append(ms, RawProperty{Name: p.Name, Value: text[offsets[i]:offsets[i+1]:offsets[i+1]]})
	}
	return ms, text
}

// appendJSONValue writes v as JSON. A number JSON cannot hold (NaN, ±Inf,
// which some databases store) is written as its text, so it is seen, not
// lost.
func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return appendJSONString(b, strconv.FormatFloat(v, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	case json.Number:
		return append(b, v...)
	}
	return appendJSONString(b, fmt.Sprint(v))
}

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD,
// as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
