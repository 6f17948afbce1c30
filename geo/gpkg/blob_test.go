package gpkg

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// gdalBlobs are geometry blobs GDAL 3.6 wrote (ogr2ogr from GeoJSON and
// from CSV WKT), with what DecodeBlob makes of them. They seed
// FuzzDecodeBlob too.
var gdalBlobs = []struct {
	name, hex string
	srs       int32
	want      orb.Geometry // nil: a Problem whose text contains err
	err       string
}{
	{"point (no envelope)", "47500001E610000001010000009A99999999395C403333333333333C40", 4326, orb.Point{112.9, 28.2}, ""},
	{"linestring", "47500003E61000009A99999999395C400000000000405C403333333333333C40CDCCCCCCCC4C3C400102000000020000009A99999999395C403333333333333C400000000000405C40CDCCCCCCCC4C3C40",
		4326, orb.LineString{{112.9, 28.2}, {113, 28.3}}, ""},
	{"polygon with a hole", "47500003E610000000000000000000000000000000002440000000000000000000000000000024400103000000020000000500000000000000000000000000000000000000000000000000244000000000000000000000000000002440000000000000244000000000000000000000000000002440000000000000000000000000000000000400000000000000000000400000000000000040000000000000004000000000000008400000000000000840000000000000084000000000000000400000000000000040",
		4326, orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{2, 2}, {2, 3}, {3, 3}, {2, 2}}}, ""},
	{"multipoint", "47500003E6100000000000000000F03F0000000000000840000000000000004000000000000010400104000000020000000101000000000000000000F03F0000000000000040010100000000000000000008400000000000001040",
		4326, orb.MultiPoint{{1, 2}, {3, 4}}, ""},
	{"multilinestring", "47500003E6100000000000000000F03F0000000000001C4000000000000000400000000000002040010500000002000000010200000002000000000000000000F03F000000000000004000000000000008400000000000001040010200000002000000000000000000144000000000000018400000000000001C400000000000002040",
		4326, orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, ""},
	{"multipolygon", "47500003E610000000000000000000000000000000001840000000000000000000000000000018400106000000020000000103000000010000000400000000000000000000000000000000000000000000000000F03F0000000000000000000000000000F03F000000000000F03F000000000000000000000000000000000103000000010000000400000000000000000014400000000000001440000000000000184000000000000014400000000000001840000000000000184000000000000014400000000000001440",
		4326, orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}}, ""},
	{"point Z", "47500001E610000001E90300009A99999999395C403333333333333C400000000000C04640", 4326, orb.Point{112.9, 28.2}, ""},
	{"point ZM", "475000010000000001B90B0000000000000000F03F000000000000004000000000000008400000000000001040", 0, orb.Point{1, 2}, ""},
	{"linestring M", "4750000300000000000000000000F03F00000000000010400000000000000040000000000000144001D207000002000000000000000000F03F00000000000000400000000000000840000000000000104000000000000014400000000000001840",
		0, orb.LineString{{1, 2}, {4, 5}}, ""},
	{"POLYGON EMPTY", "4750001100000000010300000000000000", 0, orb.Polygon{}, ""},
	{"POINT EMPTY", "47500011000000000101000000000000000000F87F000000000000F87F", 0, orb.MultiPoint{}, ""},
	{"MULTIPOLYGON EMPTY", "4750001100000000010600000000000000", 0, orb.MultiPolygon{}, ""},
	{"geometry collection", "47500003E6100000000000000000F03F000000000000F03F000000000000004000000000000000400107000000010000000101000000000000000000F03F0000000000000040",
		4326, nil, "GeometryCollection"},
	{"circular string", "4750000300000000000000000000000000000000000000400000000000000000000000000000F03F01080000000300000000000000000000000000000000000000000000000000F03F000000000000F03F00000000000000400000000000000000",
		0, nil, "CircularString"},
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecodeGDALBlobs(t *testing.T) {
	for _, c := range gdalBlobs {
		t.Run(c.name, func(t *testing.T) {
			g, srs, err := DecodeBlob(mustHex(t, c.hex))
			if c.err != "" {
				if err == nil || !errors.Is(err, ErrGeometry) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want ErrGeometry with %q", err, c.err)
				}
				if g != nil {
					t.Errorf("geometry %v with an error", g)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if srs != c.srs {
				t.Errorf("srs_id %d, want %d", srs, c.srs)
			}
			if !reflect.DeepEqual(g, c.want) {
				t.Errorf("got %#v, want %#v", g, c.want)
			}
		})
	}
}

// TestEncodeBlobGDAL: EncodeBlob writes what GDAL writes for a
// linestring and a polygon (the envelope holds every point, holes
// included) and, for an empty geometry, the empty flag and no envelope.
func TestEncodeBlobGDAL(t *testing.T) {
	for _, c := range gdalBlobs {
		if c.err != "" || c.srs != 4326 || strings.Contains(c.name, " Z") || strings.HasPrefix(c.name, "point") {
			continue // GDAL writes points without an envelope; EncodeBlob always writes one
		}
		b, err := EncodeBlob(c.want, c.srs)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ToUpper(hex.EncodeToString(b)); got != c.hex {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.hex)
		}
	}
	b, err := EncodeBlob(orb.MultiPolygon{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.ToUpper(hex.EncodeToString(b)), "4750001100000000010600000000000000"; got != want {
		t.Errorf("empty multipolygon:\n got %s\nwant %s (GDAL)", got, want)
	}
}

// TestBlobRoundTrip: every geometry kind, empty ones included, comes back
// from DecodeBlob as EncodeBlob was given it.
func TestBlobRoundTrip(t *testing.T) {
	for _, g := range []orb.Geometry{
		orb.Point{112.93, 28.23},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.MultiPoint{},
		orb.LineString{{1, 2}, {3, 4}, {5, -6}},
		orb.LineString{},
		orb.MultiLineString{{{1, 2}, {3, 4}}, {}},
		orb.MultiLineString{},
		orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
		orb.Polygon{},
		orb.Polygon{{}}, // no points: the empty flag, the ring kept
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {}, {{{3, 3}, {4, 3}, {4, 4}, {3, 3}}, {}}},
		orb.MultiPolygon{},
		orb.Polygon{{{3.8e6, 5.1e5}, {3.8e6 + 0.001, 5.1e5}, {3.8e6, 5.1e5 + 1e-9}, {3.8e6, 5.1e5}}},
	} {
		b, err := EncodeBlob(g, 4547)
		if err != nil {
			t.Fatalf("%#v: %v", g, err)
		}
		got, srs, err := DecodeBlob(b)
		if err != nil {
			t.Fatalf("%#v: %v", g, err)
		}
		if srs != 4547 || !reflect.DeepEqual(got, g) {
			t.Errorf("got %#v srs %d, want %#v 4547", got, srs, g)
		}
	}
	if _, err := EncodeBlob(nil, 4326); err == nil {
		t.Error("nil geometry encoded")
	}
}

// blob assembles a geometry blob: header flags, srs_id, envelope bytes
// and WKB.
func blob(flags byte, srs int32, envelope int, wkb []byte) []byte {
	b := []byte{'G', 'P', 0, flags}
	var order binary.AppendByteOrder = binary.BigEndian
	if flags&1 != 0 {
		order = binary.LittleEndian
	}
	b = order.AppendUint32(b, uint32(srs))
	b = append(b, make([]byte, envelope)...)
	return append(b, wkb...)
}

// wkbOf builds WKB from its parts: a byte order byte, then uint32s and
// float64s in that order.
func wkbOf(order binary.AppendByteOrder, parts ...any) []byte {
	var b []byte
	if order == binary.AppendByteOrder(binary.LittleEndian) {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			b = order.AppendUint32(b, uint32(p))
		case uint32:
			b = order.AppendUint32(b, p)
		case float64:
			b = order.AppendUint64(b, math.Float64bits(p))
		case []byte:
			b = append(b, p...)
		}
	}
	return b
}

var le, be = binary.LittleEndian, binary.BigEndian

func TestDecodeBlobCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	point := wkbOf(le, 1, 1.0, 2.0)
	cases := []struct {
		name string
		blob []byte
		want orb.Geometry
		srs  int32
		err  string // "" when it decodes to want
	}{
		{"big-endian header and WKB", blob(0x02, 4547, 32, wkbOf(be, 2, 2, 1.0, 2.0, 3.0, 4.0)), orb.LineString{{1, 2}, {3, 4}}, 4547, ""},
		{"mixed byte orders", blob(0x00, 4326, 0, wkbOf(be, 4, 2, point, wkbOf(be, 1, 3.0, 4.0))), orb.MultiPoint{{1, 2}, {3, 4}}, 4326, ""},
		{"envelope xyz", blob(0x05, 1, 48, point), orb.Point{1, 2}, 1, ""},
		{"envelope xym", blob(0x07, 1, 48, point), orb.Point{1, 2}, 1, ""},
		{"envelope xyzm", blob(0x09, 1, 64, point), orb.Point{1, 2}, 1, ""},
		{"negative srs_id", blob(0x01, -1, 0, point), orb.Point{1, 2}, -1, ""},
		{"OGC 99-402 Z flag", blob(0x01, 0, 0, wkbOf(le, uint32(0x80000002), 1, 1.0, 2.0, 9.0)), orb.LineString{{1, 2}}, 0, ""},
		{"OGC 99-402 ZM flags in a multi", blob(0x01, 0, 0, wkbOf(le, uint32(0xC0000004), 1, wkbOf(le, uint32(0xC0000001), 1.0, 2.0, 3.0, 4.0))), orb.MultiPoint{{1, 2}}, 0, ""},
		{"empty flag with empty WKB", blob(0x11, 0, 0, wkbOf(le, 5, 0)), orb.MultiLineString{}, 0, ""},
		{"empty WKB without the flag", blob(0x01, 0, 0, wkbOf(le, 2, 0)), orb.LineString{}, 0, ""},

		{"empty", nil, nil, 0, "shorter than the 8-byte header"},
		{"short header", []byte("GP\x00\x01\xe6\x10"), nil, 0, "shorter than the 8-byte header"},
		{"bad magic", append([]byte("XP"), blob(0x01, 0, 0, point)[2:]...), nil, 0, `does not start with "GP"`},
		{"WKB without a header", append(point, 0, 0, 0), nil, 0, `does not start with "GP"`},
		{"version 1", append([]byte("GP\x01"), blob(0x01, 0, 0, point)[3:]...), nil, 0, "version 1"},
		{"extended type", blob(0x21, 0, 0, point), nil, 0, "extended"},
		{"envelope indicator 5", blob(0x0B, 0, 64, point), nil, 0, "indicator 5"},
		{"short envelope", blob(0x03, 0, 20, nil), nil, 0, "inside its 32-byte envelope"},
		{"no WKB", blob(0x03, 0, 32, nil), nil, 0, "ends inside a geometry header"},
		{"bad byte order", blob(0x01, 0, 0, append([]byte{2}, point[1:]...)), nil, 0, "byte order 2"},
		{"unknown type", blob(0x01, 0, 0, wkbOf(le, 99, 1.0, 2.0)), nil, 0, "unknown WKB type code 99"},
		{"unknown dimension", blob(0x01, 0, 0, wkbOf(le, 4001, 1.0, 2.0)), nil, 0, "unknown WKB type code 4001"},
		{"EWKB SRID", blob(0x01, 0, 0, wkbOf(le, uint32(0x20000001), 4326, 1.0, 2.0)), nil, 0, "EWKB"},
		{"short point", blob(0x01, 0, 0, point[:13]), nil, 0, "ends inside a Point"},
		{"huge point count", blob(0x01, 0, 0, wkbOf(le, 2, uint32(0xFFFFFFFF), 1.0, 2.0)), nil, 0, "ends inside a LineString of 4294967295 points"},
		{"huge ring count", blob(0x01, 0, 0, wkbOf(le, 3, uint32(0x7FFFFFFF))), nil, 0, "Polygon of 2147483647 rings"},
		{"huge part count", blob(0x01, 0, 0, wkbOf(le, 6, uint32(0x7FFFFFFF))), nil, 0, "MultiPolygon of 2147483647 parts"},
		{"ring cut short", blob(0x01, 0, 0, wkbOf(le, 3, 1, 4, 0.0, 0.0, 1.0, 0.0, 1.0)), nil, 0, "ring of 4 points"},
		{"trailing bytes", blob(0x01, 0, 0, append(point, 0)), nil, 0, "1 bytes after the end"},
		{"NaN x", blob(0x01, 0, 0, wkbOf(le, 1, nan, 2.0)), nil, 0, "NaN 2 is not a finite number"},
		{"Inf in a ring", blob(0x01, 0, 0, wkbOf(le, 3, 1, 4, 0.0, 0.0, 1.0, inf, 1.0, 1.0, 0.0, 0.0)), nil, 0, "+Inf is not a finite number (point 2 of 4"},
		{"empty point in a multipoint", blob(0x01, 0, 0, wkbOf(le, 4, 1, wkbOf(le, 1, nan, nan))), nil, 0, "empty point inside a MultiPoint"},
		{"polygon inside a multilinestring", blob(0x01, 0, 0, wkbOf(le, 5, 1, wkbOf(le, 3, 0))), nil, 0, "Polygon inside a MultiLineString"},
		{"Z part in a 2D multi", blob(0x01, 0, 0, wkbOf(le, 4, 1, wkbOf(le, 1001, 1.0, 2.0, 3.0))), nil, 0, "another dimension"},
		{"empty flag with points", blob(0x11, 0, 0, point), nil, 0, "flags an empty geometry"},
		{"collection in a multipoint", blob(0x01, 0, 0, wkbOf(le, 4, 1, wkbOf(le, 7, 0))), nil, 0, "GeometryCollection"},
		{"triangle", blob(0x01, 0, 0, wkbOf(le, 17, 0)), nil, 0, "Triangle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, srs, err := DecodeBlob(c.blob)
			if c.err != "" {
				if err == nil || !errors.Is(err, ErrGeometry) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want ErrGeometry with %q", err, c.err)
				}
				if g != nil {
					t.Errorf("geometry %v with an error", g)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if srs != c.srs || !reflect.DeepEqual(g, c.want) {
				t.Errorf("got %#v srs %d, want %#v %d", g, srs, c.want, c.srs)
			}
		})
	}
}

// TestDecodeBlobMaxPoints: the point limit counts every part's points
// and is checked before anything is allocated.
func TestDecodeBlobMaxPoints(t *testing.T) {
	line := wkbOf(le, 2, 3, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0)
	b := blob(0x01, 0, 0, wkbOf(le, 5, 2, line, line))
	if _, _, _, err := decodeBlob(b, 6); err != nil {
		t.Errorf("6 points, limit 6: %v", err)
	}
	if _, _, _, err := decodeBlob(b, 5); err == nil || !strings.Contains(err.Error(), "more than 5 points") {
		t.Errorf("6 points, limit 5: %v", err)
	}
}

func TestEncodeBlobEnvelope(t *testing.T) {
	// A hole reaching outside its shell (invalid, but stored as given):
	// the envelope covers every point, as GDAL's does.
	p := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{-5, 0.5}, {0.5, 0.5}, {0.5, 7}, {-5, 0.5}}}
	b, err := EncodeBlob(p, 4326)
	if err != nil {
		t.Fatal(err)
	}
	var env [4]float64
	for i := range env {
		env[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8+8*i:]))
	}
	if env != [4]float64{-5, 1, 0, 7} {
		t.Errorf("envelope %v, want [-5 1 0 7]", env)
	}
	if !bytes.Equal(b[:4], []byte{'G', 'P', 0, 0x03}) {
		t.Errorf("header % x", b[:4])
	}
}
