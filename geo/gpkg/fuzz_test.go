package gpkg

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// FuzzDecodeBlob: no blob panics DecodeBlob or makes it allocate what a
// count claims, an error is always ErrGeometry with no geometry, and an
// accepted geometry is of the six plan types with finite coordinates and
// encodes back to a blob that decodes to itself. Seeds are GDAL's blobs
// (gdalBlobs) and EncodeBlob's.
//
//	go test ./geo/gpkg -run '^$' -fuzz FuzzDecodeBlob
func FuzzDecodeBlob(f *testing.F) {
	for _, c := range gdalBlobs {
		f.Add(mustHex(f, c.hex))
	}
	for _, g := range []orb.Geometry{
		orb.Point{112.9, 28.2},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.LineString{{1, 2}, {3, 4}},
		orb.MultiLineString{{{1, 2}, {3, 4}}, {}},
		orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {}},
		orb.MultiPolygon{},
	} {
		f.Add(mustBlob(f, g, 4547))
	}
	f.Add(blob(0x00, 4326, 0, wkbOf(be, 4, 1, wkbOf(le, 1, 1.0, 2.0))))
	f.Add(blob(0x01, 0, 0, wkbOf(le, uint32(0xC0000004), 1, wkbOf(le, uint32(0xC0000001), 1.0, 2.0, 3.0, 4.0))))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, _, err := DecodeBlob(b)
		if err != nil {
			if g != nil || !errors.Is(err, ErrGeometry) {
				t.Fatalf("error %v with geometry %v", err, g)
			}
			return
		}
		switch g.(type) {
		case orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
		default:
			t.Fatalf("accepted %T", g)
		}
		n := 0
		geo.EachPoint(g, func(p orb.Point) {
			n++
			if math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0) {
				t.Fatalf("accepted coordinate %v", p)
			}
		})
		if n > geo.DefaultMaxVertices {
			t.Fatalf("accepted %d points", n)
		}
		again, err := EncodeBlob(g, 0)
		if err != nil {
			t.Fatalf("re-encoding %v: %v", g, err)
		}
		back, _, err := DecodeBlob(again)
		if err != nil {
			t.Fatalf("re-encoded %v: %v", g, err)
		}
		if !orb.Equal(back, g) {
			t.Fatalf("round trip: %v became %v", g, back)
		}
	})
}
