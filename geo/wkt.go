package geo

import "strconv"

// WKT is the CRS in OGC WKT 1, as GDAL writes it for the EPSG code (the
// definition a GeoPackage's gpkg_spatial_ref_sys row and a .prj hold); ""
// for a CRS without an EPSG code.
func (c CRS) WKT() string {
	const cgcs2000 = `GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]`
	code := strconv.Itoa(c.EPSG)
	switch {
	case c.EPSG == 4326:
		return `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`
	case c.EPSG == 4490:
		return cgcs2000 + `,AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]`
	case c.EPSG >= epsgZonedFirst && c.EPSG <= epsgCMLast:
		name := "CGCS2000 / 3-degree Gauss-Kruger CM " + strconv.Itoa(int(c.CentralMeridian)) + "E"
		if c.EPSG <= epsgZonedLast {
			name = "CGCS2000 / 3-degree Gauss-Kruger zone " + strconv.Itoa(int(c.CentralMeridian)/3)
		}
		return `PROJCS["` + name + `",` + cgcs2000 + `,AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],` +
			`PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",` + strconv.FormatFloat(c.CentralMeridian, 'f', -1, 64) + `],` +
			`PARAMETER["scale_factor",1],PARAMETER["false_easting",` + strconv.FormatFloat(c.FalseEasting, 'f', -1, 64) + `],` +
			`PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","` + code + `"]]`
	}
	return ""
}
