package geo

import (
	"errors"
	"math"
	"testing"
)

// FuzzParseCRS: ParseCRS never panics; an error is an
// *UnsupportedCRSError carrying the input; an accepted CRS is one of the
// supported codes, its String() parses back to the same CRS, and
// FromLonLat then ToLonLat returns a point in 100–130°E, 20–40°N (the
// territory of Chinese plans) to within 1e-6 degrees.
//
// Run with: go test ./geo -run '^$' -fuzz FuzzParseCRS -fuzztime 60s
// Crashers land in testdata/fuzz/FuzzParseCRS/ and then run as tests.
func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{
		"EPSG:4326", "EPSG:4490", "EPSG:4547", "epsg:4513", "4554", " EPSG:4533 ",
		"urn:ogc:def:crs:EPSG::4547", "urn:ogc:def:crs:EPSG:9.8.15:4526",
		"http://www.opengis.net/def/crs/EPSG/0/4547", "urn:ogc:def:crs:OGC:1.3:CRS84",
		"urn:ogc:def:crs:OGC::CRS84", "CRS84", "OGC:CRS84",
		"EPSG:4512", "EPSG:4555", "EPSG:+4547", "EPSG:-4547", "EPSG:04547", "EPSG:",
		"urn:ogc:def:crs:EPSG:4547", "http://www.opengis.net/def/crs/EPSG/4547",
		"EPSG:99999999999999999999", "EPSG:4547\x00", "", "\u017fepsg:4547",
	} {
		f.Add(s, 0.5, 0.5)
	}
	f.Add("EPSG:4513", 1.0, 0.0) // zone 25 (CM 75°E), 55° from the point
	f.Add("EPSG:4554", 0.0, 1.0)
	f.Fuzz(func(t *testing.T, s string, u, v float64) {
		c, err := ParseCRS(s)
		if err != nil {
			var ue *UnsupportedCRSError
			if !errors.As(err, &ue) || ue.CRS != s {
				t.Fatalf("ParseCRS(%q): error %T %v, want *UnsupportedCRSError carrying the input", s, err, err)
			}
			return
		}
		switch {
		case c.EPSG == 4326 || c.EPSG == 4490:
			if !c.Geographic {
				t.Fatalf("ParseCRS(%q) = %+v: a geographic code that is not Geographic", s, c)
			}
		case c.EPSG >= 4513 && c.EPSG <= 4554:
			if c.Geographic || c.CentralMeridian < 75 || c.CentralMeridian > 135 {
				t.Fatalf("ParseCRS(%q) = %+v: bad projected CRS", s, c)
			}
		default:
			t.Fatalf("ParseCRS(%q) accepted unsupported code %d", s, c.EPSG)
		}
		if again, err := ParseCRS(c.String()); err != nil || again != c {
			t.Fatalf("ParseCRS(%q).String() = %q parses to %+v, %v", s, c.String(), again, err)
		}
		lon := 100 + 30*unit(u)
		lat := 20 + 20*unit(v)
		x, y := c.FromLonLat(lon, lat)
		if !isFinite(x) || !isFinite(y) {
			t.Fatalf("%s: FromLonLat(%v, %v) = %v, %v", c, lon, lat, x, y)
		}
		gotLon, gotLat := c.ToLonLat(x, y)
		if math.Abs(gotLon-lon) > 1e-6 || math.Abs(gotLat-lat) > 1e-6 {
			t.Fatalf("%s: %v %v → %v %v → %v %v: round trip off by more than 1e-6°", c, lon, lat, x, y, gotLon, gotLat)
		}
	})
}

// unit maps any float64 to [0, 1]: the fractional part of |v|, with NaN
// and ±Inf mapped to 0.5.
func unit(v float64) float64 {
	if !isFinite(v) {
		return 0.5
	}
	if v == math.Trunc(v) && v != 0 {
		return 1
	}
	_, frac := math.Modf(math.Abs(v))
	return frac
}
