package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
)

// GeoJSON writes conflicts.geojson: a FeatureCollection (RFC 7946, WGS84
// lon/lat) with one Feature per finding, one Feature per line.
//
// Every feature is a MultiPolygon, so QGIS opens the file as one layer and
// ogr2ogr converts it to a Shapefile without dropping any finding. Outer
// rings are counter-clockwise and holes clockwise (the RFC 7946
// right-hand rule); coordinates are rounded to 1e-7 degrees. The
// property geometry_kind says what the polygon is:
//
//   - "patch": the finding's polygonal geometry (the conflict patch, or
//     the feature itself for single-feature findings), re-oriented only;
//   - "envelope": the bounding box of a geometry that is not a valid
//     polygon (an invalid or unclosed feature: drawn as it is, QGIS would
//     show garbage or nothing, and Shapefile writers reject it);
//   - "marker": a round buffer around a point (markerRadiusM) or along a
//     line (markerRadiusM each side), for point and line findings;
//   - "extent": the bounding box of the layers a layer-level finding
//     names (of every map layer when those are not on the map);
//   - "none": no geometry could be given (nothing at all to place the
//     finding by); the geometry is null.
//
// at_lon and at_lat keep the exact "at or near" location of geometry
// problems, so an envelope or marker loses nothing.
//
// The properties are those of report.json's findings (rule, severity,
// layers, features, classes, area_m2, length_m, message, fingerprint,
// district and the review keys), then flat copies for formats without
// list fields (GeoPackage, Shapefile): layer_a, feature_a, class_a,
// layer_b, feature_b, class_b, message_zh and message_en (a Shapefile
// cuts text at 254 bytes, which would lose the English half of message),
// then geometry_kind, at_lon and at_lat.
func GeoJSON(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	b := bufio.NewWriter(w)
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	var line bytes.Buffer
	ext := newExtents(r, fs)
	for i, f := range fs {
		line.Reset()
		line.WriteString(`{"type":"Feature","geometry":`)
		g, kind := polygonalGeometry(f, ext)
		if err := writeGeometry(&line, g); err != nil {
			return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
		}
		line.WriteString(`,"properties":`)
		if err := writeCompact(&line, newGeoJSONProperties(f, kind)); err != nil {
			return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
		}
		line.WriteString("}")
		if i < len(fs)-1 {
			line.WriteString(",")
		}
		b.WriteString("\n")
		inertJSON.WriteString(b, line.String())
	}
	if len(fs) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]}\n")
	return b.Flush()
}

// geojsonProperties are a conflicts.geojson feature's properties: those of
// report.json, then flat fields.
type geojsonProperties struct {
	properties
	LayerA       string       `json:"layer_a"`
	FeatureA     string       `json:"feature_a"`
	ClassA       string       `json:"class_a"`
	LayerB       string       `json:"layer_b"`
	FeatureB     string       `json:"feature_b"`
	ClassB       string       `json:"class_b"`
	MessageZH    string       `json:"message_zh"`
	MessageEN    string       `json:"message_en"`
	GeometryKind string       `json:"geometry_kind"`
	AtLon        *json.Number `json:"at_lon"`
	AtLat        *json.Number `json:"at_lat"`
}

func newGeoJSONProperties(f rules.Finding, kind string) geojsonProperties {
	get := func(s []string, i int) string {
		if i < len(s) {
			return s[i]
		}
		return ""
	}
	p := geojsonProperties{
		properties: newProperties(f),
		LayerA:     get(f.Layers, 0), FeatureA: get(f.Features, 0), ClassA: get(f.Classes, 0),
		LayerB: get(f.Layers, 1), FeatureB: get(f.Features, 1), ClassB: get(f.Classes, 1),
		MessageZH: f.MessageZH, MessageEN: f.Message, GeometryKind: kind,
	}
	if f.At != nil && finite(f.At[0]) && finite(f.At[1]) {
		lon, lat := json.Number(degrees(f.At[0])), json.Number(degrees(f.At[1]))
		p.AtLon, p.AtLat = &lon, &lat
	}
	return p
}

// jsonEncoder is the encoder of every JSON report: no HTML escaping
// (inertJSON escapes what terminals act on), each line after the first
// starting with prefix, nesting indented by indent ("" for one line).
func jsonEncoder(w io.Writer, prefix, indent string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	return enc
}

// writeCompact writes v as one line of JSON without HTML escaping.
func writeCompact(buf *bytes.Buffer, v any) error {
	if err := jsonEncoder(buf, "", "").Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline
	return nil
}

// writeGeometry writes g as a GeoJSON geometry object with coordinates
// rounded to 1e-7 degrees; nil is written as null.
func writeGeometry(buf *bytes.Buffer, g orb.Geometry) error {
	return geo.AppendGeoJSON(buf, g, appendDegrees)
}

func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
