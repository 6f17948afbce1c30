package shapefile

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// Broken files: each case damages a copy of an ogr2ogr-written layer the
// way files get damaged (cut short by a failed copy, one of the three
// files left behind, files of two exports mixed) and expects a clear
// error: its sentinel, the file at fault and, where there is one, the
// record.
func TestCorruptFiles(t *testing.T) {
	edit := func(ext string, fn func(b []byte) []byte) func(t *testing.T, shp string) {
		return func(t *testing.T, shp string) {
			p := sibling(shp, ext)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, fn(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(ext string) func(t *testing.T, shp string) {
		return func(t *testing.T, shp string) { os.Remove(sibling(shp, ext)) }
	}
	// record 2 of landuse_utf8.shp starts at the offset in .shx entry 2.
	shxEntry := func(b []byte, i int) (off, length int) {
		e := b[headerLen+8*(i-1):]
		return int(binary.BigEndian.Uint32(e)) * 2, int(binary.BigEndian.Uint32(e[4:])) * 2
	}
	put32BE := func(b []byte, at int, v uint32) []byte { binary.BigEndian.PutUint32(b[at:], v); return b }
	put32LE := func(b []byte, at int, v uint32) []byte { binary.LittleEndian.PutUint32(b[at:], v); return b }
	shx, _ := os.ReadFile("testdata/landuse_utf8.shx")
	off2, _ := shxEntry(shx, 2)
	dbf, _ := os.ReadFile("testdata/landuse_utf8.dbf")
	dh, err := parseDBFHeader("x", strings.NewReader(string(dbf)))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		damage func(t *testing.T, shp string)
		want   error
		in     string // in the message: the file and record
	}{
		{"shp cut short", edit(".shp", func(b []byte) []byte { return b[:len(b)-10] }), ErrTruncated, "landuse_utf8.shp: truncated: header gives 5672 bytes, the file has 5662"},
		{"shp cut in the header", edit(".shp", func(b []byte) []byte { return b[:60] }), ErrTruncated, "landuse_utf8.shp: truncated"},
		{"shp empty", edit(".shp", func(b []byte) []byte { return nil }), ErrTruncated, "landuse_utf8.shp: truncated"},
		{"shp cut, header fixed to match", edit(".shp", func(b []byte) []byte {
			b = b[:off2+20]
			return put32BE(b, 24, uint32(len(b)/2))
		}), ErrTruncated, "landuse_utf8.shp:record 2: truncated"},
		{"not a shapefile", edit(".shp", func(b []byte) []byte { return put32BE(b, 0, 1234) }), ErrCorrupt, "landuse_utf8.shp: corrupt: file code 1234"},
		{"unknown shape type in the header", edit(".shp", func(b []byte) []byte { return put32LE(b, 32, 99) }), ErrShapeType, "landuse_utf8.shp: unsupported shape type: ShapeType(99)"},
		{"MultiPatch", func(t *testing.T, shp string) {
			edit(".shp", func(b []byte) []byte { return put32LE(b, 32, 31) })(t, shp)
		}, ErrShapeType, "MultiPatch"},
		{"unknown shape type in a record", edit(".shp", func(b []byte) []byte { return put32LE(b, off2+8, 77) }), ErrShapeType, "landuse_utf8.shp:record 2: unsupported shape type: ShapeType(77)"},
		{"another shape type in a record", edit(".shp", func(b []byte) []byte { return put32LE(b, off2+8, uint32(PolyLine)) }), ErrInconsistent, "landuse_utf8.shp:record 2: inconsistent: a PolyLine record in a Polygon file"},
		{"part count past the content", edit(".shp", func(b []byte) []byte { return put32LE(b, off2+8+36, 1<<30) }), ErrCorrupt, "landuse_utf8.shp:record 2: corrupt: Polygon record says 1073741824 parts"},
		{"point count past the content", edit(".shp", func(b []byte) []byte { return put32LE(b, off2+8+40, 0x7fffffff) }), ErrCorrupt, "landuse_utf8.shp:record 2: corrupt: Polygon record says 2147483647 points"},
		{"negative point count", edit(".shp", func(b []byte) []byte { return put32LE(b, off2+8+40, 0xffffffff) }), ErrCorrupt, "record 2"},
		{"part index past the points", edit(".shp", func(b []byte) []byte {
			// record 2 of the file has holes: its second part starts after 0.
			return put32LE(b, off2+8+48, 100000)
		}), ErrCorrupt, "landuse_utf8.shp:record 2: corrupt: part 2 starts at point 100000"},
		{"record length bigger than the file", edit(".shp", func(b []byte) []byte { return put32BE(b, off2+4, 1<<28) }), ErrInconsistent, "landuse_utf8.shx:record 2: inconsistent: record length mismatch"},
		{"record lengths disagree", edit(".shx", func(b []byte) []byte { _, l := shxEntry(b, 3); return put32BE(b, headerLen+8*2+4, uint32(l/2+4)) }), ErrInconsistent, "landuse_utf8.shx:record 3: inconsistent: record length mismatch"},
		{"shx offset wrong", edit(".shx", func(b []byte) []byte { o, _ := shxEntry(b, 3); return put32BE(b, headerLen+8*2, uint32(o/2+2)) }), ErrInconsistent, "landuse_utf8.shx:record 3: inconsistent: index gives offset"},
		{"shx missing", remove(".shx"), ErrMissing, "landuse_utf8.shx: missing file"},
		{"shx of fewer records", edit(".shx", func(b []byte) []byte {
			b = b[:len(b)-8]
			return put32BE(b, 24, uint32(len(b)/2))
		}), ErrInconsistent, "landuse_utf8.shx: inconsistent: 14 records, but landuse_utf8.shp has"},
		{"shx cut short", edit(".shx", func(b []byte) []byte { return b[:len(b)-3] }), ErrTruncated, "landuse_utf8.shx: truncated"},
		{"shx of another type", edit(".shx", func(b []byte) []byte { return put32LE(b, 32, uint32(Point)) }), ErrInconsistent, "landuse_utf8.shx: inconsistent: shape type Point"},
		{"dbf missing", remove(".dbf"), ErrMissing, "landuse_utf8.dbf: missing file"},
		{"dbf of fewer records", edit(".dbf", func(b []byte) []byte {
			return put32LE(b, 4, uint32(dh.records-1))
		}), ErrInconsistent, "landuse_utf8.dbf: inconsistent: 14 records, fewer than the 15 shapes of landuse_utf8.shp"},
		{"dbf cut short", edit(".dbf", func(b []byte) []byte { return b[:len(b)-dh.recordLen] }), ErrTruncated, "landuse_utf8.dbf: truncated: 15 records of"},
		{"dbf record length mismatch", edit(".dbf", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[10:], uint16(dh.recordLen-5))
			return b
		}), ErrCorrupt, "landuse_utf8.dbf: corrupt: record length mismatch"},
		{"dbf header cut", edit(".dbf", func(b []byte) []byte { return b[:40] }), ErrTruncated, "landuse_utf8.dbf: truncated"},
		{"cpg unknown", edit(".cpg", func([]byte) []byte { return []byte("OEM") }), ErrCodePage, `landuse_utf8.cpg: unknown code page: "OEM"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shp := copyLayer(t, "landuse_utf8")
			tt.damage(t, shp)
			_, err := Read(context.Background(), shp, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "shapefile: ") {
				t.Errorf("err = %v, not a *shapefile.Error", err)
			}
			if !strings.Contains(err.Error(), tt.in) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.in)
			}
		})
	}
}

// TestNotRegular: a named pipe in place of a file would block the open.
func TestNotRegular(t *testing.T) {
	shp := copyLayer(t, "values_utf8")
	os.Remove(sibling(shp, ".dbf"))
	os.Mkdir(sibling(shp, ".dbf"), 0o755)
	if _, err := Read(context.Background(), shp, Options{}); !errors.Is(err, ErrMissing) {
		t.Errorf("dbf a directory: %v", err)
	}
	os.Remove(sibling(shp, ".shp"))
	os.Mkdir(sibling(shp, ".shp"), 0o755)
	shp2 := copyLayer(t, "values_utf8")
	os.Rename(sibling(shp2, ".dbf"), sibling(shp, ".dbf"))
	os.Remove(sibling(shp, ".dbf"))
	if _, err := Read(context.Background(), shp, Options{}); err == nil || !strings.Contains(err.Error(), "values_utf8") {
		t.Errorf("shp a directory: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	_, err := Read(context.Background(), "testdata/landuse_utf8.shp", Options{MaxBytes: 1000})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "landuse_utf8.shp") {
		t.Errorf("err = %v", err)
	}
}

// Geometry problems of single records: the layer is read, the record
// carries the problem and no geometry, and its neighbours are unharmed.
func TestGeometryProblems(t *testing.T) {
	square := []orb.Point{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}} // clockwise
	tests := []struct {
		name string
		typ  ShapeType
		rec  []byte
		want string
	}{
		{"ring not closed", Polygon, recordParts(Polygon, [][]orb.Point{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0.5}}}), "x.shp:record 2: invalid geometry: ring 1 is not closed (first point 0 0, last 0 0.5)"},
		{"hole not closed", Polygon, recordParts(Polygon, [][]orb.Point{square, {{0.2, 0.2}, {0.4, 0.2}, {0.4, 0.4}, {0.3, 0.3}}}), "x.shp:record 2: invalid geometry: ring 2 is not closed"},
		{"ring of 3 points", Polygon, recordParts(Polygon, [][]orb.Point{{{0, 0}, {0, 1}, {0, 0}}}), "ring 1 has 3 points; a ring needs at least 4"},
		{"NaN", Polygon, recordParts(Polygon, [][]orb.Point{{{0, 0}, {0, 1}, {math.NaN(), 1}, {1, 0}, {0, 0}}}), "x.shp:record 2: invalid geometry: point 3 is NaN 1 (not a finite number)"},
		{"Inf in a line", PolyLine, recordParts(PolyLine, [][]orb.Point{{{0, 0}, {math.Inf(1), 1}}}), "point 2 is +Inf 1"},
		{"area overflows", Polygon, recordParts(Polygon, [][]orb.Point{{{-1e200, -1e200}, {-1e200, 1e200}, {1e200, 1e200}, {1e200, -1e200}, {-1e200, -1e200}}}), "ring 1's area overflows a float64"},
		{"NaN point", Point, recordPoint(orb.Point{math.NaN(), 0}), "coordinate is NaN 0"},
		{"line of one point", PolyLine, recordParts(PolyLine, [][]orb.Point{{{0, 0}}}), "part 1 has 1 point; a line needs at least 2"},
		{"no parts", Polygon, recordParts(Polygon, nil), "empty Polygon (0 parts, 0 points)"},
		{"empty part", PolyLine, recordParts(PolyLine, [][]orb.Point{{{0, 0}, {1, 1}}, {}}), "part 2 has no points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var good []byte
			if tt.typ == Point {
				good = recordPoint(orb.Point{5, 5})
			} else {
				good = recordParts(tt.typ, [][]orb.Point{square})
			}
			shp := writeLayer(t, t.TempDir(), "x", tt.typ, [][]byte{good, tt.rec, good}, "UTF-8")
			l := mustRead(t, shp, Options{})
			if len(l.Features) != 3 {
				t.Fatalf("%d features", len(l.Features))
			}
			f := l.Features[1]
			if f.Problem == nil || f.Geometry != nil {
				t.Fatalf("record 2: problem %v, geometry %v", f.Problem, f.Geometry)
			}
			if !errors.Is(f.Problem, ErrGeometry) || !strings.Contains(f.Problem.Error(), tt.want) {
				t.Errorf("problem %q\nwant it to contain %q", f.Problem, tt.want)
			}
			if v, _ := f.Properties.Get("id"); v != "2" {
				t.Errorf("record 2 properties %v", f.Properties)
			}
			for _, i := range []int{0, 2} {
				if l.Features[i].Problem != nil || l.Features[i].Geometry == nil {
					t.Errorf("record %d: %v", i+1, l.Features[i].Problem)
				}
			}
		})
	}
}

func TestMaxVertices(t *testing.T) {
	square := []orb.Point{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}
	shp := writeLayer(t, t.TempDir(), "x", Polygon, [][]byte{recordParts(Polygon, [][]orb.Point{square})}, "")
	l := mustRead(t, shp, Options{MaxVertices: 4})
	if p := l.Features[0].Problem; p == nil || !strings.Contains(p.Error(), "5 points, more than the limit of 4") {
		t.Errorf("problem %v", p)
	}
}

// TestValueWarnings: values not of their field's type are kept as text
// and counted in one warning per field.
func TestValueWarnings(t *testing.T) {
	dir := t.TempDir()
	shp, shx := buildShp(Point, [][]byte{recordPoint(orb.Point{1, 1}), recordPoint(orb.Point{2, 2}), recordPoint(orb.Point{3, 3})})
	fields := []testField{{"n", 'N', 20, 0}, {"f", 'F', 8, 3}, {"d", 'D', 8, 0}, {"l", 'L', 1, 0}, {"m", 'M', 10, 0}}
	dbf := buildDBF(fields, [][]string{
		{"  42", "1.500", "20240229", "T", "memo 1"},
		{"abc", "0x10", "20230229", "x", ""},
		{"9999999999999999999", "********", "00000000", "?", "  padded  "},
	})
	base := filepath.Join(dir, "v")
	os.WriteFile(base+".shp", shp, 0o644)
	os.WriteFile(base+".shx", shx, 0o644)
	os.WriteFile(base+".dbf", dbf, 0o644)
	l := mustRead(t, base+".shp", Options{})
	want := [][]any{
		{int64(42), 1.5, "2024-02-29", true, "memo 1"},
		{"abc", "0x10", "20230229", "x", nil},
		{9999999999999999999.0, nil, nil, nil, "padded"},
	}
	for i, f := range l.Features {
		for k, p := range f.Properties {
			if p.Value != want[i][k] {
				t.Errorf("record %d %s = %#v, want %#v", i+1, p.Name, p.Value, want[i][k])
			}
		}
	}
	var msgs []string
	for _, w := range l.Warnings {
		if w.Kind != WarnValue || w.Record != 2 {
			t.Errorf("warning %+v", w)
		}
		msgs = append(msgs, w.Message)
	}
	if got := strings.Join(msgs, "\n"); got != `field n (N) holds "abc", not a number; kept as text
field f (F) holds "0x10", not a number; kept as text
field d (D) holds "20230229", not a date YYYYMMDD; kept as text
field l (L) holds "x", not T/F/Y/N/?; kept as text` {
		t.Errorf("warnings:\n%s", got)
	}
}

// TestTrailingAndExtra: a .shp longer than its header says and a .dbf
// with more records are read, with warnings.
func TestTrailingAndExtra(t *testing.T) {
	shp := copyLayer(t, "values_utf8")
	b, _ := os.ReadFile(shp)
	os.WriteFile(shp, append(b, 0, 0, 0, 0), 0o644)
	d, _ := os.ReadFile(sibling(shp, ".dbf"))
	dh, _ := parseDBFHeader("x", strings.NewReader(string(d)))
	rec := d[dh.headerLen : dh.headerLen+dh.recordLen]
	d = append(d[:dh.headerLen+dh.records*dh.recordLen:dh.headerLen+dh.records*dh.recordLen], rec...)
	binary.LittleEndian.PutUint32(d[4:], uint32(dh.records+1))
	os.WriteFile(sibling(shp, ".dbf"), d, 0o644)
	l := mustRead(t, shp, Options{})
	if len(l.Features) != 4 || len(l.Warnings) != 2 || l.Warnings[0].Kind != WarnExtraRecords || l.Warnings[1].Kind != WarnTrailingBytes {
		t.Errorf("%d features, warnings %v", len(l.Features), l.Warnings)
	}
}
