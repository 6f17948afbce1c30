package planning

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/gpkg"
	"github.com/plancheck/plancheck/geo/postgis"
)

// readGeoPackage reads a GeoPackage feature table (table:, or the only
// one); locations are fids.
func readGeoPackage(ctx context.Context, spec LayerSpec) (*sourceRead, error) {
	digest := digestAside(func() (string, error) { return fileDigest(spec.Path) })
	gl, err := gpkg.Read(ctx, spec.Path, gpkg.Options{Table: spec.Table, MaxVertices: spec.MaxVertices, MaxBytes: spec.MaxBytes})
	fileSum, derr := digest()
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, fmt.Errorf("planning: layer %s: %w", spec.Name, err)
	}
	what := fmt.Sprintf("table %s of %s (srs_id %d", gl.Table, spec.File, gl.SRSID)
	if gl.SRSName != "" {
		what += ", " + gl.SRSName
	}
	what += ")"
	whatZH := fmt.Sprintf("%s 的表 %s（srs_id %d", spec.File, gl.Table, gl.SRSID)
	if gl.SRSName != "" {
		whatZH += "，" + gl.SRSName
	}
	whatZH += "）"
	found, unknown := epsgCRS(gl.EPSG)
	switch {
	case gl.EPSG != 0:
	case gl.SRSID == -1:
		unknown = "an undefined Cartesian SRS"
	case gl.SRSID != 0:
		unknown = "not an EPSG code"
	}
	crs, note, err := sourceCRS(spec, found, what, unknown,
		geo.Textf("%s has an undefined geographic SRS (srs_id 0): read as EPSG:4326 lon/lat; declare crs: in the manifest if it is not",
			"%s 的地理坐标系未定义（srs_id 0）：按 EPSG:4326 经纬度读取；如果不是，请在清单中声明 crs:", geo.Text{Message: what, MessageZH: whatZH}))
	if err != nil {
		return nil, err
	}
	// One file holds many tables: the layer is the file's bytes and the
	// table read from it.
	sum := sha256.Sum256([]byte(fileSum + "\x00" + gl.Table))
	out := &sourceRead{n: len(gl.Features), crs: crs, sha256: hex.EncodeToString(sum[:])}
	if note != nil {
		out.notes = append(out.notes, *note)
	}
	for _, w := range gl.Warnings {
		out.notes = append(out.notes, Issue{Check: CheckSourceNote, Feature: -1, Text: w})
	}
	out.record = func(i int) geo.Record {
		f := &gl.Features[i]
		return record(int(f.FID), f.Geometry, f.Properties, f.Problem)
	}
	return out, nil
}

// readPostGIS reads a table or query of a PostgreSQL database; locations
// are row numbers in the order read. The layer's digest is of what was
// read (the database has no file to hash): the same rows give the same one.
func readPostGIS(ctx context.Context, spec LayerSpec) (*sourceRead, error) {
	pl, err := postgis.Read(ctx, spec.Source, postgis.Options{Table: spec.Table, Query: spec.Query, MaxVertices: spec.MaxVertices})
	if err != nil {
		return nil, fmt.Errorf("planning: layer %s: %w", spec.Name, err)
	}
	what := fmt.Sprintf("the SRID %d of %s", pl.SRID, pl.Source)
	found, unknown := epsgCRS(pl.EPSG)
	if pl.EPSG == 0 && pl.SRID != 0 {
		unknown = "not an EPSG code in spatial_ref_sys"
	}
	crs, note, err := sourceCRS(spec, found, what, unknown,
		geo.Textf("%s has no SRID (0): read as EPSG:4326 lon/lat; declare crs: in the manifest if it is not",
			"%s 没有 SRID（0）：按 EPSG:4326 经纬度读取；如果不是，请在清单中声明 crs:", pl.Source))
	if err != nil {
		return nil, err
	}
	out := &sourceRead{n: len(pl.Features), crs: crs}
	if note != nil {
		out.notes = append(out.notes, *note)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%q\x00", pl.GeometryColumn, pl.SRID, pl.Columns)
	out.record = func(i int) geo.Record {
		f := &pl.Features[i]
		return record(f.Row, f.Geometry, f.Properties, f.Problem)
	}
	// The coordinates' bits, not their text: formatting every number of
	// a city's table only to hash it cost as much as reading it.
	var bits [16]byte
	for i := range pl.Features {
		f := &pl.Features[i]
		fmt.Fprintf(h, "%d\x00%v\x00", f.Row, f.Properties)
		if f.Geometry == nil {
			continue
		}
		fmt.Fprintf(h, "%s %d\x00", f.Geometry.GeoJSONType(), geo.PointCount(f.Geometry))
		geo.EachPoint(f.Geometry, func(p orb.Point) {
			binary.LittleEndian.PutUint64(bits[:8], math.Float64bits(p[0]))
			binary.LittleEndian.PutUint64(bits[8:], math.Float64bits(p[1]))
			h.Write(bits[:])
		})
	}
	out.sha256 = hex.EncodeToString(h.Sum(nil))
	return out, nil
}

// epsgCRS is the CRS of an EPSG code a source names (nil for 0), or why
// plancheck cannot use it.
func epsgCRS(code int) (*geo.CRS, string) {
	if code == 0 {
		return nil, ""
	}
	c, err := geo.ParseCRS(fmt.Sprintf("EPSG:%d", code))
	if err != nil {
		return nil, fmt.Sprintf("EPSG:%d", code)
	}
	return &c, ""
}

// fileDigest is the SHA-256 of a file.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
