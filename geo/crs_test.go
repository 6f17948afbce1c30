package geo

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestParseCRS(t *testing.T) {
	cases := []struct {
		in   string
		epsg int
		geo  bool
		cm   float64
		fe   float64
	}{
		{"EPSG:4547", 4547, false, 114, 500000},
		{"epsg:4547", 4547, false, 114, 500000},
		{"4547", 4547, false, 114, 500000},
		{" EPSG:4547 ", 4547, false, 114, 500000},
		{"urn:ogc:def:crs:EPSG::4547", 4547, false, 114, 500000},
		{"urn:ogc:def:crs:EPSG:9.8.15:4547", 4547, false, 114, 500000},
		{"http://www.opengis.net/def/crs/EPSG/0/4547", 4547, false, 114, 500000},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", 4326, true, 0, 0},
		{"urn:ogc:def:crs:OGC::CRS84", 4326, true, 0, 0},
		{"CRS84", 4326, true, 0, 0},
		{"EPSG:4326", 4326, true, 0, 0},
		{"urn:ogc:def:crs:EPSG::4326", 4326, true, 0, 0},
		{"EPSG:4490", 4490, true, 0, 0},
		{"urn:ogc:def:crs:EPSG::4490", 4490, true, 0, 0},
		{"EPSG:4513", 4513, false, 75, 25500000},
		{"EPSG:4526", 4526, false, 114, 38500000},
		{"EPSG:4525", 4525, false, 111, 37500000},
		{"EPSG:4533", 4533, false, 135, 45500000},
		{"EPSG:4534", 4534, false, 75, 500000},
		{"EPSG:4546", 4546, false, 111, 500000},
		{"EPSG:4554", 4554, false, 135, 500000},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ParseCRS(tc.in)
			if err != nil {
				t.Fatalf("ParseCRS(%q): %v", tc.in, err)
			}
			if c.EPSG != tc.epsg || c.Geographic != tc.geo || c.CentralMeridian != tc.cm || c.FalseEasting != tc.fe {
				t.Errorf("ParseCRS(%q) = %+v, want EPSG %d geographic %v CM %v FE %v",
					tc.in, c, tc.epsg, tc.geo, tc.cm, tc.fe)
			}
			if want := fmt.Sprintf("EPSG:%d", tc.epsg); c.String() != want {
				t.Errorf("String() = %q, want %q", c.String(), want)
			}
		})
	}

	rejected := []string{
		"", "EPSG:", "EPSG:3857", "EPSG:4512", "EPSG:4555", "EPSG:32650",
		"4214", "EPSG:-4547", "EPSG:+4547", "EPSG:4547.0", "urn:ogc:def:crs:EPSG:4547",
		"urn:ogc:def:crs:OGC:1.3:CRS83", "WGS84", "+proj=tmerc +lon_0=114",
	}
	for _, in := range rejected {
		t.Run("reject/"+in, func(t *testing.T) {
			_, err := ParseCRS(in)
			if err == nil {
				t.Fatalf("ParseCRS(%q) succeeded, want error", in)
			}
			want := fmt.Sprintf("geo: unsupported CRS %q (supported: EPSG:4326, EPSG:4490, EPSG:4513–4554, GCJ-02, BD-09)", in)
			if err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			var ue *UnsupportedCRSError
			if !errors.As(err, &ue) || ue.CRS != in {
				t.Errorf("error %#v is not an *UnsupportedCRSError for %q", err, in)
			}
		})
	}
}

func TestCRSNames(t *testing.T) {
	cases := []struct {
		in, name string
	}{
		{"EPSG:4326", "EPSG:4326 WGS 84"},
		{"EPSG:4490", "EPSG:4490 CGCS2000"},
		{"EPSG:4547", "EPSG:4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E"},
		{"EPSG:4526", "EPSG:4526 CGCS2000 / 3-degree Gauss-Kruger zone 38"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ParseCRS(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if c.Name != tc.name {
				t.Errorf("Name = %q, want %q", c.Name, tc.name)
			}
		})
	}
	if WGS84.EPSG != 4326 || !WGS84.Geographic || WGS84.String() != "EPSG:4326" {
		t.Errorf("WGS84 = %+v", WGS84)
	}
	tmc := TransverseMercator(114.5)
	if tmc.EPSG != 0 || tmc.Geographic || tmc.CentralMeridian != 114.5 || tmc.FalseEasting != 0 {
		t.Errorf("TransverseMercator(114.5) = %+v", tmc)
	}
	if want := "+proj=tmerc +lon_0=114.5 +k=1 +x_0=0 +y_0=0 +ellps=GRS80"; tmc.String() != want {
		t.Errorf("TransverseMercator(114.5).String() = %q, want %q", tmc.String(), want)
	}
}

func TestGeographicIdentity(t *testing.T) {
	for _, c := range []CRS{WGS84, mustParseCRS(t, "EPSG:4490")} {
		t.Run(c.String(), func(t *testing.T) {
			x, y := c.FromLonLat(112.94, 28.23)
			if x != 112.94 || y != 28.23 {
				t.Errorf("FromLonLat = %v, %v", x, y)
			}
			lon, lat := c.ToLonLat(112.94, 28.23)
			if lon != 112.94 || lat != 28.23 {
				t.Errorf("ToLonLat = %v, %v", lon, lat)
			}
		})
	}
}

// Control points for EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E),
// produced with PROJ 9.1.1 (Debian 12 proj-bin 9.1.1-1), which implements
// the EPSG definition with tmerc algo=poder_engsager:
//
//	cs2cs -f %.6f EPSG:4490 EPSG:4547 <<EOF
//	28.23 112.94
//	...
//	EOF
//
// EPSG:4490 takes lat lon and EPSG:4547 prints northing easting; the table
// holds them as lon, lat, easting x, northing y. EPSG:4526 (zone 38) gave the
// same values with 38000000 added to the easting:
//
//	cs2cs -f %.6f EPSG:4490 EPSG:4526
var crsControlPoints = []struct {
	name     string
	lon, lat float64
	x, y     float64 // EPSG:4547
}{
	{"Changsha", 112.94, 28.23, 395955.334423, 3124385.926936},
	{"Zhuzhou", 113.13, 27.83, 414289.381535, 3079906.481945},
	{"Xiangtan", 112.94, 27.83, 395569.865900, 3080053.685608},
	{"west zone edge 112.5E", 112.5, 28.0, 352447.704354, 3099348.644565},
	{"east zone edge 115.5E", 115.5, 28.0, 647552.295646, 3099348.644565},
	{"central meridian", 114.0, 28.0, 500000.000000, 3098441.747297},
	{"outside zone 111E", 111.0, 26.0, 199561.749898, 2880284.647399},
	{"north-east", 115.0, 29.0, 597441.549181, 3209681.602566},
	{"equator on CM", 114.0, 0.0, 500000.000000, 0.000000},
}

func TestCRSControlPoints(t *testing.T) {
	const (
		tolM   = 1e-3 // metres, forward
		tolDeg = 1e-8 // degrees, inverse
	)
	for _, crs := range []struct {
		code   string
		offset float64
	}{
		{"EPSG:4547", 0},
		{"EPSG:4526", 38000000},
	} {
		c := mustParseCRS(t, crs.code)
		for _, p := range crsControlPoints {
			t.Run(crs.code+"/"+p.name, func(t *testing.T) {
				wantX := p.x + crs.offset
				x, y := c.FromLonLat(p.lon, p.lat)
				if math.Abs(x-wantX) > tolM || math.Abs(y-p.y) > tolM {
					t.Errorf("FromLonLat(%v, %v) = %.6f, %.6f, want %.6f, %.6f (PROJ); diff %.3g, %.3g m",
						p.lon, p.lat, x, y, wantX, p.y, x-wantX, y-p.y)
				}
				lon, lat := c.ToLonLat(wantX, p.y)
				if math.Abs(lon-p.lon) > tolDeg || math.Abs(lat-p.lat) > tolDeg {
					t.Errorf("ToLonLat(%.6f, %.6f) = %.12f, %.12f, want %v, %v; diff %.3g, %.3g deg",
						wantX, p.y, lon, lat, p.lon, p.lat, lon-p.lon, lat-p.lat)
				}
			})
		}
	}
}

// TestCRSControlPointsMicrometre records how close the implementation is to
// PROJ: both use the sixth-order Krüger series, so they agree to the
// micrometre rounding of the literals.
func TestCRSControlPointsMicrometre(t *testing.T) {
	c := mustParseCRS(t, "EPSG:4547")
	worst := 0.0
	for _, p := range crsControlPoints {
		x, y := c.FromLonLat(p.lon, p.lat)
		worst = math.Max(worst, math.Max(math.Abs(x-p.x), math.Abs(y-p.y)))
	}
	if worst > 2e-6 {
		t.Errorf("worst forward difference from PROJ = %.3g m, want ≤ 2 µm", worst)
	}
	t.Logf("worst forward difference from PROJ: %.3g m", worst)
}

func TestCRSRoundTrip(t *testing.T) {
	crss := []CRS{
		mustParseCRS(t, "EPSG:4547"),
		mustParseCRS(t, "EPSG:4526"),
		mustParseCRS(t, "EPSG:4546"),
		mustParseCRS(t, "EPSG:4525"),
		TransverseMercator(112.9),
	}
	for _, c := range crss {
		t.Run(c.String(), func(t *testing.T) {
			worst := 0.0
			// The Changsha–Zhuzhou–Xiangtan area on a 0.05° grid.
			for lon := 111.0; lon <= 115.0+1e-9; lon += 0.05 {
				for lat := 26.0; lat <= 29.0+1e-9; lat += 0.05 {
					x, y := c.FromLonLat(lon, lat)
					lon2, lat2 := c.ToLonLat(x, y)
					d := math.Max(math.Abs(lon2-lon), math.Abs(lat2-lat))
					if d > 1e-9 {
						t.Fatalf("round trip %v, %v -> %v, %v -> %v, %v (diff %.3g deg)",
							lon, lat, x, y, lon2, lat2, d)
					}
					worst = math.Max(worst, d)
				}
			}
			t.Logf("worst round-trip error %.3g deg", worst)
		})
	}
}

func TestTransverseMercatorLocal(t *testing.T) {
	// On the central meridian x is 0 and y is the meridian arc; 1 km east of
	// the meridian at the same northing, x grows by about 1 km.
	c := TransverseMercator(114)
	x, y := c.FromLonLat(114, 28)
	if x != 0 || math.Abs(y-3098441.747297) > 1e-6 {
		t.Errorf("FromLonLat(114, 28) = %v, %v", x, y)
	}
	lon, lat := c.ToLonLat(1000, y)
	x2, _ := c.FromLonLat(lon, lat)
	if math.Abs(x2-1000) > 1e-9 || lat >= 28 {
		t.Errorf("ToLonLat(1000, %v) = %v, %v; forward x %v", y, lon, lat, x2)
	}
}

func TestLooksProjected(t *testing.T) {
	cases := []struct {
		x, y float64
		want bool
	}{
		{112.94, 28.23, false},
		{-180, -90, false},
		{360, 180, false},
		{181, 28, false}, // slightly off but still degrees-sized
		{395955.33, 3124385.93, true},
		{38395955.33, 3124385.93, true},
		{100, 500, true},
		{-400, 10, true},
		{math.NaN(), 0, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v,%v", tc.x, tc.y), func(t *testing.T) {
			if got := LooksProjected(tc.x, tc.y); got != tc.want {
				t.Errorf("LooksProjected(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
			}
		})
	}
}

func mustParseCRS(tb testing.TB, s string) CRS {
	tb.Helper()
	c, err := ParseCRS(s)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func ExampleParseCRS() {
	c, err := ParseCRS("urn:ogc:def:crs:EPSG::4547")
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := c.FromLonLat(112.94, 28.23) // Changsha
	fmt.Printf("%s: %.3f %.3f\n", c, x, y)
	lon, lat := c.ToLonLat(x, y)
	fmt.Printf("%.6f %.6f\n", lon, lat)
	// Output:
	// EPSG:4547: 395955.334 3124385.927
	// 112.940000 28.230000
}

func BenchmarkCRSFromLonLat(b *testing.B) {
	c := mustParseCRS(b, "EPSG:4547")
	var sx float64
	for i := 0; b.Loop(); i++ {
		x, _ := c.FromLonLat(112.94+float64(i%100)*1e-4, 28.23)
		sx += x
	}
	_ = sx
}

func BenchmarkCRSToLonLat(b *testing.B) {
	c := mustParseCRS(b, "EPSG:4547")
	var s float64
	for i := 0; b.Loop(); i++ {
		lon, _ := c.ToLonLat(395955.334423+float64(i%100), 3124385.926936)
		s += lon
	}
	_ = s
}

// TestGeodeticLatitudeSeries: the series that turns conformal into
// geodetic latitude agrees with the exact inverse (Newton's method on
// tan χ) everywhere, to float64 resolution.
func TestGeodeticLatitudeSeries(t *testing.T) {
	c := &tmGRS80
	worst := 0.0
	for i := -9000; i <= 9000; i++ {
		chi := float64(i) / 100 * math.Pi / 180 * 0.9999
		want := math.Atan(c.tauf(math.Tan(chi)))
		worst = max(worst, math.Abs(c.geodeticLatitude(chi)-want))
	}
	if worst > 1e-15 {
		t.Errorf("worst difference from Newton's method %.3g rad, want ≤ 1e-15 (a few ulp; 6 nm)", worst)
	}
	t.Logf("worst difference from Newton's method: %.3g rad", worst)
}
