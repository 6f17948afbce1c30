package shapefile

import (
	"bytes"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzShapeRecord feeds arbitrary record content to the .shp record
// decoder: it must never panic, and what it accepts must be usable
// geometry (finite coordinates, closed rings in RFC 7946 orientation) or
// a problem, never both.
//
//	go test ./geo/shapefile -run '^$' -fuzz FuzzShapeRecord
func FuzzShapeRecord(f *testing.F) {
	square := cw(0, 0, 10, 10)
	for _, c := range [][]byte{
		recordNull(),
		recordPoint(orb.Point{1, 2}),
		recordParts(Polygon, [][]orb.Point{square, ccw(2, 2, 4, 4), cw(20, 0, 30, 10)}),
		recordParts(PolygonZ, [][]orb.Point{square}),
		recordParts(PolyLineM, [][]orb.Point{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}}),
		recordParts(PolyLine, [][]orb.Point{{{0, 0}, {math.NaN(), 1}}}),
	} {
		f.Add(c, int32(i32(c)))
	}
	if b, err := os.ReadFile("testdata/landuse_utf8.shp"); err == nil && len(b) > 200 {
		f.Add(b[108:], int32(Polygon)) // the first record's content and more
	}
	f.Fuzz(func(t *testing.T, content []byte, fileType int32) {
		ft := ShapeType(fileType)
		if !ft.known() {
			ft = ShapeType(i32(append(content, 0, 0, 0, 0)))
			if !ft.known() {
				ft = Polygon
			}
		}
		s, err := decodeShape("f.shp", 1, ft, content, 10000)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || errors.Is(err, ErrGeometry) {
				t.Fatalf("error %v is not a record error", err)
			}
			return
		}
		if s.problem != nil && s.geom != nil {
			t.Fatalf("both a problem %v and a geometry", s.problem)
		}
		for _, p := range points(s.geom) {
			if !finite(p) {
				t.Fatalf("non-finite point %v accepted", p)
			}
		}
		if msg := orientationProblem(s.geom); msg != "" && !hasZeroArea(s.geom) {
			t.Fatalf("orientation: %s", msg)
		}
		var polys []orb.Polygon
		switch g := s.geom.(type) {
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		}
		for _, p := range polys {
			for _, r := range p {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Fatalf("ring %v accepted", r)
				}
			}
		}
	})
}

// hasZeroArea reports a ring of zero signed area: it has no orientation.
func hasZeroArea(g orb.Geometry) bool {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		for _, r := range p {
			if signedArea(r) == 0 {
				return true
			}
		}
	}
	return false
}

// FuzzDBF feeds arbitrary bytes to the .dbf header parser and record
// decoder in each code page: no panic, and every value of an accepted
// record is of a documented type.
//
//	go test ./geo/shapefile -run '^$' -fuzz FuzzDBF
func FuzzDBF(f *testing.F) {
	for _, name := range []string{"values_gbk", "values_utf8", "landuse_gbk"} {
		if b, err := os.ReadFile("testdata/" + name + ".dbf"); err == nil {
			f.Add(b)
		}
	}
	f.Add(buildDBF([]testField{{"n", 'N', 5, 2}, {"d", 'D', 8, 0}, {"l", 'L', 1, 0}, {"x", 'X', 3, 0}}, [][]string{{"1.25", "20240101", "T", "\xff\xfe"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		h, err := parseDBFHeader("f.dbf", r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a file error", err)
			}
			return
		}
		for _, cp := range []*codePage{cpUTF8, cpGBK, cpGB18030} {
			d := &dbfDecoder{file: "f.dbf", cp: cp, fields: h.fields, warn: func(WarningKind, string, int, string, string, ...any) {}}
			d.fieldNames()
			rest := data[len(data)-r.Len():]
			for i := 0; i < h.records && len(rest) >= h.recordLen; i++ {
				h.textBytes(rest[:h.recordLen], func([]byte) bool { return true })
				props, _ := d.decode(i+1, rest[:h.recordLen])
				for _, p := range props {
					switch p.Value.(type) {
					case nil, string, int64, float64, bool:
					default:
						t.Fatalf("value %#v of type %T", p.Value, p.Value)
					}
				}
				rest = rest[h.recordLen:]
			}
		}
	})
}

// FuzzParsePrj: any text gives a Projection, never a panic; a recognised
// one has no Reason.
func FuzzParsePrj(f *testing.F) {
	for _, s := range []string{esriWGS84, esriCGCS2000, ogcWKT1_4547, wkt2_4526, esriXian1980, `A[(]`, `X["a""b",1e400]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ParsePrj(s)
		if (p.CRS == nil) == (p.Reason == "") {
			t.Fatalf("CRS %v with reason %q", p.CRS, p.Reason)
		}
	})
}
