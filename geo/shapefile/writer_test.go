package shapefile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

// A minimal Shapefile writer for tests: records the reference writer
// (ogr2ogr) will not produce (unclosed rings, NaN, holes before their
// shells), fuzz seeds, and the large layers of the benchmark.

// recordPoint is the content of a Point record.
func recordPoint(p orb.Point) []byte {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b, uint32(Point))
	putF64(b[4:], p[0])
	putF64(b[12:], p[1])
	return b
}

// recordNull is the content of a Null shape record.
func recordNull() []byte {
	b := make([]byte, 4)
	return b
}

// recordParts is the content of a PolyLine or Polygon record (Z and M
// types get zero Z and M values), with the rings or lines as given.
func recordParts(t ShapeType, parts [][]orb.Point) []byte {
	var n int
	for _, p := range parts {
		n += len(p)
	}
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	w(uint32(t))
	bound := orb.MultiPoint(flatten(parts)).Bound()
	w([4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]})
	w(int32(len(parts)))
	w(int32(n))
	k := 0
	for _, p := range parts {
		w(int32(k))
		k += len(p)
	}
	for _, p := range parts {
		for _, q := range p {
			w([2]float64(q))
		}
	}
	if t.hasZ() {
		w([2]float64{})
		w(make([]float64, n))
	}
	if t.hasZ() || t == PolyLineM || t == PolygonM {
		w([2]float64{})
		w(make([]float64, n))
	}
	return b.Bytes()
}

func flatten(parts [][]orb.Point) []orb.Point {
	var out []orb.Point
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func putF64(b []byte, v float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(v)) }

// buildShp returns the .shp and .shx of records of type t.
func buildShp(t ShapeType, contents [][]byte) (shp, shx []byte) {
	head := func(length int) []byte {
		h := make([]byte, headerLen)
		binary.BigEndian.PutUint32(h, fileCode)
		binary.BigEndian.PutUint32(h[24:], uint32(length/2))
		binary.LittleEndian.PutUint32(h[28:], fileVersion)
		binary.LittleEndian.PutUint32(h[32:], uint32(t))
		return h
	}
	var body, index bytes.Buffer
	off := headerLen
	for i, c := range contents {
		var rh [8]byte
		binary.BigEndian.PutUint32(rh[:], uint32(i+1))
		binary.BigEndian.PutUint32(rh[4:], uint32(len(c)/2))
		body.Write(rh[:])
		body.Write(c)
		var ie [8]byte
		binary.BigEndian.PutUint32(ie[:], uint32(off/2))
		binary.BigEndian.PutUint32(ie[4:], uint32(len(c)/2))
		index.Write(ie[:])
		off += 8 + len(c)
	}
	shp = append(head(headerLen+body.Len()), body.Bytes()...)
	shx = append(head(headerLen+index.Len()), index.Bytes()...)
	return shp, shx
}

// testField is a .dbf field for buildDBF.
type testField struct {
	name     string
	typ      byte
	length   int
	decimals int
}

// buildDBF returns a dBASE III .dbf of rows (values as the bytes to store,
// blank-padded; a row starting with "*" in its first value's place is
// not special: set deleted with markDeleted).
func buildDBF(fields []testField, rows [][]string) []byte {
	recLen := 1
	for _, f := range fields {
		recLen += f.length
	}
	var b bytes.Buffer
	h := make([]byte, 32)
	h[0] = 3
	binary.LittleEndian.PutUint32(h[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(h[8:], uint16(32+32*len(fields)+1))
	binary.LittleEndian.PutUint16(h[10:], uint16(recLen))
	b.Write(h)
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d[:11], f.name)
		d[11] = f.typ
		d[16] = byte(f.length)
		d[17] = byte(f.decimals)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	for _, r := range rows {
		b.WriteByte(' ')
		for i, f := range fields {
			v := []byte(r[i])
			if len(v) > f.length {
				v = v[:f.length]
			}
			b.Write(v)
			b.Write(bytes.Repeat([]byte{' '}, f.length-len(v)))
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes()
}

// writeLayer writes name.shp, .shx and .dbf (and .cpg when cpg is not
// empty) into dir and returns the .shp path. Each record gets a C field
// "id" holding its number.
func writeLayer(tb testing.TB, dir, name string, t ShapeType, contents [][]byte, cpg string) string {
	tb.Helper()
	shp, shx := buildShp(t, contents)
	rows := make([][]string, len(contents))
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i + 1)}
	}
	dbf := buildDBF([]testField{{name: "id", typ: 'C', length: 10}}, rows)
	base := filepath.Join(dir, name)
	for ext, b := range map[string][]byte{".shp": shp, ".shx": shx, ".dbf": dbf} {
		if err := os.WriteFile(base+ext, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if cpg != "" {
		if err := os.WriteFile(base+".cpg", []byte(cpg), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return base + ".shp"
}

// shapefileRings returns a polygon's rings in Shapefile order (exteriors
// clockwise, holes counter-clockwise), copies of the RFC 7946 rings.
func shapefileRings(p orb.Polygon) [][]orb.Point {
	out := make([][]orb.Point, len(p))
	for i, r := range p {
		c := append(orb.Ring(nil), r...)
		if (i == 0) == (signedArea(c) > 0) {
			reverse(c)
		}
		out[i] = c
	}
	return out
}
