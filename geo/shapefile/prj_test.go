package shapefile

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// esriGK is the .prj ArcGIS and GDAL write for a CGCS2000 3-degree
// Gauss–Krüger system (as `gdalsrsinfo -o wkt_esri EPSG:4547` prints it).
func esriGK(name string, fe, cm float64) string {
	return fmt.Sprintf(`PROJCS[%q,GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",%.1f],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",%.1f],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`, name, fe, cm)
}

// Texts from GDAL 3.6.2: gdalsrsinfo -o wkt1 EPSG:4547, -o wkt2 EPSG:4526.
const (
	ogcWKT1_4547 = `PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E", GEOGCS["China Geodetic Coordinate System 2000", DATUM["China_2000", SPHEROID["CGCS2000",6378137,298.257222101, AUTHORITY["EPSG","1024"]], AUTHORITY["EPSG","1043"]], PRIMEM["Greenwich",0, AUTHORITY["EPSG","8901"]], UNIT["degree",0.0174532925199433, AUTHORITY["EPSG","9122"]], AUTHORITY["EPSG","4490"]], PROJECTION["Transverse_Mercator"], PARAMETER["latitude_of_origin",0], PARAMETER["central_meridian",114], PARAMETER["scale_factor",1], PARAMETER["false_easting",500000], PARAMETER["false_northing",0], UNIT["metre",1, AUTHORITY["EPSG","9001"]], AXIS["Northing",NORTH], AXIS["Easting",EAST], AUTHORITY["EPSG","4547"]]`
	wkt2_4526    = `PROJCRS["CGCS2000 / 3-degree Gauss-Kruger zone 38", BASEGEOGCRS["China Geodetic Coordinate System 2000", DATUM["China 2000", ELLIPSOID["CGCS2000",6378137,298.257222101, LENGTHUNIT["metre",1]]], PRIMEM["Greenwich",0, ANGLEUNIT["degree",0.0174532925199433]], ID["EPSG",4490]], CONVERSION["3-degree Gauss-Kruger zone 38", METHOD["Transverse Mercator", ID["EPSG",9807]], PARAMETER["Latitude of natural origin",0, ANGLEUNIT["degree",0.0174532925199433], ID["EPSG",8801]], PARAMETER["Longitude of natural origin",114, ANGLEUNIT["degree",0.0174532925199433], ID["EPSG",8802]], PARAMETER["Scale factor at natural origin",1, SCALEUNIT["unity",1], ID["EPSG",8805]], PARAMETER["False easting",38500000, LENGTHUNIT["metre",1], ID["EPSG",8806]], PARAMETER["False northing",0, LENGTHUNIT["metre",1], ID["EPSG",8807]]], CS[Cartesian,2], AXIS["northing (X)",north, ORDER[1], LENGTHUNIT["metre",1]], AXIS["easting (Y)",east, ORDER[2], LENGTHUNIT["metre",1]], USAGE[ SCOPE["Cadastre, engineering survey, topographic mapping (large scale)."], AREA["China - onshore between 112°30'E and 115°30'E."], BBOX[21.52,112.5,45.45,115.5]], ID["EPSG",4526]]`
	esriWGS84    = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	esriCGCS2000 = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	esriXian1980 = `PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	esriUTM49N   = `PROJCS["WGS_1984_UTM_Zone_49N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",111.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
)

func TestParsePrj(t *testing.T) {
	tests := []struct {
		name, wkt string
		epsg      int
		prjName   string
		reason    string // in Reason when not recognised
	}{
		{"ESRI WGS 84", esriWGS84, 4326, "GCS_WGS_1984", ""},
		{"ESRI CGCS2000", esriCGCS2000, 4490, "GCS_China_Geodetic_Coordinate_System_2000", ""},
		{"OGC WGS 84", `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]`, 4326, "WGS 84", ""},
		{"ESRI zone 38", esriGK("CGCS2000_3_Degree_GK_Zone_38", 38500000, 114), 4526, "CGCS2000_3_Degree_GK_Zone_38", ""},
		{"ESRI CM 114E", esriGK("CGCS2000_3_Degree_GK_CM_114E", 500000, 114), 4547, "CGCS2000_3_Degree_GK_CM_114E", ""},
		{"OGC WKT 1 CM 114E", ogcWKT1_4547, 4547, "CGCS2000 / 3-degree Gauss-Kruger CM 114E", ""},
		{"WKT 2 zone 38", wkt2_4526, 4526, "CGCS2000 / 3-degree Gauss-Kruger zone 38", ""},
		{"parameters decide an unusual name", esriGK("my projection", 39500000, 117), 4527, "my projection", ""},
		{"round brackets", strings.NewReplacer("[", "(", "]", ")").Replace(esriCGCS2000), 4490, "GCS_China_Geodetic_Coordinate_System_2000", ""},
		{"first zone", esriGK("CGCS2000_3_Degree_GK_Zone_25", 25500000, 75), 4513, "CGCS2000_3_Degree_GK_Zone_25", ""},
		{"last CM", esriGK("CGCS2000_3_Degree_GK_CM_135E", 500000, 135), 4554, "CGCS2000_3_Degree_GK_CM_135E", ""},

		{"Xian 1980", esriXian1980, 0, "Xian_1980_3_Degree_GK_CM_114E", `datum "D_Xian_1980", not CGCS2000`},
		{"Beijing 1954 lon/lat", `GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, 0, "GCS_Beijing_1954", `datum "D_Beijing_1954" is neither WGS 84 nor CGCS2000`},
		{"UTM on WGS 84", esriUTM49N, 0, "WGS_1984_UTM_Zone_49N", "not CGCS2000"},
		{"6-degree zone 19", esriGK("CGCS2000_GK_Zone_19", 19500000, 111), 0, "CGCS2000_GK_Zone_19", "false easting 1.95e+07 with central meridian 111E"},
		{"name says another zone", esriGK("CGCS2000_3_Degree_GK_Zone_39", 38500000, 114), 0, "CGCS2000_3_Degree_GK_Zone_39", `says zone 39 but the parameters (central meridian 114E, false easting 3.85e+07) are EPSG:4526`},
		{"name says another CM", esriGK("CGCS2000_3_Degree_GK_CM_117E", 500000, 114), 0, "CGCS2000_3_Degree_GK_CM_117E", "says central meridian 117E"},
		{"zone prefix of another zone", esriGK("x", 37500000, 114), 0, "x", "false easting 3.75e+07 with central meridian 114E (want 500000 or 38500000)"},
		{"central meridian off the grid", esriGK("x", 500000, 114.5), 0, "x", "central meridian 114.5"},
		{"scale not 1", strings.Replace(esriGK("x", 500000, 114), `"Scale_Factor",1.0`, `"Scale_Factor",0.9996`, 1), 0, "x", "scale 0.9996"},
		{"feet", strings.Replace(esriGK("x", 500000, 114), `UNIT["Meter",1.0]]`, `UNIT["Foot",0.3048]]`, 1), 0, "x", `unit "Foot"`},
		{"authority says otherwise", strings.Replace(ogcWKT1_4547, `AUTHORITY["EPSG","4547"]]`, `AUTHORITY["EPSG","4548"]]`, 1), 0, "CGCS2000 / 3-degree Gauss-Kruger CM 114E", "EPSG authority 4548"},
		{"not WKT", "EPSG:4547", 0, "", "not WKT"},
		{"empty", "", 0, "", "not WKT"},
		{"unclosed", `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"`, 0, "", "not WKT"},
		{"compound", `COMPD_CS["x",GEOGCS["WGS 84"]]`, 0, "x", "a COMPD_CS"},
		{"too deep", strings.Repeat("A[", 100) + strings.Repeat("]", 100), 0, "", "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ParsePrj(tt.wkt)
			if p.Name != tt.prjName {
				t.Errorf("name %q, want %q", p.Name, tt.prjName)
			}
			if tt.epsg != 0 {
				if p.CRS == nil || p.CRS.EPSG != tt.epsg || p.Reason != "" {
					t.Errorf("CRS %v (%s), want EPSG:%d", p.CRS, p.Reason, tt.epsg)
				}
				return
			}
			if p.CRS != nil || !strings.Contains(p.Reason, tt.reason) {
				t.Errorf("CRS %v, reason %q\nwant it to contain %q", p.CRS, p.Reason, tt.reason)
			}
		})
	}
}

// TestParsePrjAllZones checks every code of EPSG:4513–4554 in the ESRI
// form, against geo's own definition of the code.
func TestParsePrjAllZones(t *testing.T) {
	for zone := 25; zone <= 45; zone++ {
		cm := float64(3 * zone)
		p := ParsePrj(esriGK(fmt.Sprintf("CGCS2000_3_Degree_GK_Zone_%d", zone), float64(zone)*1e6+500000, cm))
		if p.CRS == nil || p.CRS.EPSG != 4513+zone-25 || p.CRS.CentralMeridian != cm || p.CRS.FalseEasting != float64(zone)*1e6+500000 {
			t.Errorf("zone %d: %+v", zone, p)
		}
		p = ParsePrj(esriGK(fmt.Sprintf("CGCS2000_3_Degree_GK_CM_%dE", 3*zone), 500000, cm))
		if p.CRS == nil || p.CRS.EPSG != 4534+zone-25 || p.CRS.CentralMeridian != cm || p.CRS.FalseEasting != 500000 {
			t.Errorf("CM %vE: %+v", cm, p)
		}
	}
}

// TestParsePrjGDAL asks GDAL for every supported code in each WKT flavour
// a .prj may hold, when gdalsrsinfo is installed.
func TestParsePrjGDAL(t *testing.T) {
	if _, err := exec.LookPath("gdalsrsinfo"); err != nil {
		t.Skip("gdalsrsinfo not installed (apt-get install gdal-bin)")
	}
	if testing.Short() {
		t.Skip("short")
	}
	// gdalsrsinfo takes a third of a second a call: the ends of both
	// ranges and Changsha's zone; TestParsePrjAllZones covers the rest.
	for _, code := range []int{4326, 4490, 4513, 4526, 4533, 4534, 4547, 4554} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			for _, flavour := range []string{"wkt_esri", "wkt1", "wkt2"} {
				out, err := exec.Command("gdalsrsinfo", "-o", flavour, fmt.Sprintf("EPSG:%d", code)).Output()
				if err != nil {
					t.Fatalf("gdalsrsinfo %s EPSG:%d: %v", flavour, code, err)
				}
				if p := ParsePrj(string(out)); p.CRS == nil || p.CRS.EPSG != code {
					t.Errorf("EPSG:%d as %s: %+v", code, flavour, p)
				}
			}
		})
	}
}
