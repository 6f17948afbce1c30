// Package review is the step between a run's findings and its reports that
// makes plancheck usable week after week: it compares a run with an earlier
// one (the baseline: every finding gets a state, new, unchanged, updated
// or absent) and applies the review decisions (协调意见) recorded beside the
// manifest, so CI can gate on what a revision introduces while legacy
// conflicts are worked through.
package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

// Baseline is an earlier run as its --out directory holds it.
type Baseline struct {
	Dir  string
	GUID string // derived from report.json's bytes, SARIF baselineGuid
	// Date is the baseline run's date: report.json's date, else the day
	// report.json was last written (reports of versions before the review
	// loop carry no date).
	Date string
	// Findings are the baseline's findings in report order, with the
	// geometry of conflicts.geojson. Findings the baseline itself reported
	// as absent are left out: they had already gone.
	Findings []rules.Finding
}

// baselineReport is the part of report.json a baseline needs.
type baselineReport struct {
	Command  *string           `json:"command"`
	Date     string            `json:"date"`
	Findings []baselineFinding `json:"findings"`
}

type baselineFinding struct {
	Rule             string      `json:"rule"`
	Severity         string      `json:"severity"`
	Layers           []string    `json:"layers"`
	Features         []string    `json:"features"`
	Classes          []string    `json:"classes"`
	AreaM2           json.Number `json:"area_m2"`
	LengthM          json.Number `json:"length_m"`
	Message          string      `json:"message"`
	Fingerprint      string      `json:"fingerprint"`
	District         string      `json:"district"`
	File             string      `json:"file"`
	Line             int         `json:"line"`
	At               []float64   `json:"at"`
	State            *string     `json:"state"`
	FirstSeen        string      `json:"first_seen"`
	PreviousFeatures []string    `json:"previous_features"`
}

// BaselineError is a baseline directory that cannot be used.
type BaselineError struct {
	Path string
	Msg  string
}

func (e *BaselineError) Error() string {
	return fmt.Sprintf("review: baseline %s: %s", e.Path, e.Msg)
}

// LoadBaseline reads dir/report.json and dir/conflicts.geojson, the --out
// directory of an earlier check.
func LoadBaseline(dir string) (*Baseline, error) {
	reportPath := filepath.Join(dir, "report.json")
	data, err := os.ReadFile(reportPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &BaselineError{Path: dir, Msg: "has no report.json (give the --out directory of an earlier check)"}
		}
		return nil, &BaselineError{Path: reportPath, Msg: err.Error()}
	}
	var rep baselineReport
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&rep); err != nil {
		return nil, &BaselineError{Path: reportPath, Msg: "not a plancheck report.json: " + err.Error()}
	}
	if rep.Command == nil || rep.Findings == nil {
		return nil, &BaselineError{Path: reportPath, Msg: "not a plancheck report.json (no command or findings)"}
	}
	if *rep.Command != "check" {
		return nil, &BaselineError{Path: reportPath, Msg: fmt.Sprintf("is a %q report; a baseline is the --out directory of a check", *rep.Command)}
	}
	patches, err := loadPatches(filepath.Join(dir, "conflicts.geojson"), rep.Findings)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	b := &Baseline{Dir: dir, GUID: guidOf(sum[:]), Date: rep.Date}
	if b.Date == "" {
		if st, err := os.Stat(reportPath); err == nil {
			b.Date = st.ModTime().UTC().Format(dateLayout)
		}
	}
	for i, bf := range rep.Findings {
		if bf.State != nil && *bf.State == rules.StateAbsent {
			continue
		}
		f, err := bf.finding(patches[i].geometry)
		if err != nil {
			return nil, &BaselineError{Path: reportPath, Msg: fmt.Sprintf("finding %d: %v", i+1, err)}
		}
		// conflicts.geojson keeps the two languages apart: an absent
		// finding is written with them as the baseline wrote it (and SARIF
		// puts its English first again).
		if p := patches[i]; p.messageZH != "" && p.messageEN != "" && p.messageZH+" / "+p.messageEN == bf.Message {
			f.MessageZH, f.Message = p.messageZH, p.messageEN
		}
		firstSeen := bf.FirstSeen
		if firstSeen == "" {
			firstSeen = b.Date
		}
		f.Review = &rules.Review{FirstSeen: firstSeen}
		b.Findings = append(b.Findings, f)
	}
	return b, nil
}

func (bf baselineFinding) finding(g orb.Geometry) (rules.Finding, error) {
	sev, err := rules.ParseSeverity(bf.Severity)
	if err != nil {
		return rules.Finding{}, err
	}
	f := rules.Finding{
		Rule:     bf.Rule,
		Severity: sev,
		Layers:   bf.Layers,
		Features: bf.Features,
		Classes:  bf.Classes,
		Geometry: g,
		// The baseline's message is "中文 / English", kept whole unless
		// conflicts.geojson gives the two parts.
		Message:  bf.Message,
		Location: rules.Location{File: bf.File, Line: bf.Line},
		District: bf.District,
	}
	if f.AreaM2, err = number(bf.AreaM2); err != nil {
		return f, fmt.Errorf("area_m2: %w", err)
	}
	if f.LengthM, err = number(bf.LengthM); err != nil {
		return f, fmt.Errorf("length_m: %w", err)
	}
	if len(bf.At) == 2 {
		f.At = &orb.Point{bf.At[0], bf.At[1]}
	}
	if bf.Fingerprint != "" && bf.Fingerprint != f.Fingerprint() {
		return f, fmt.Errorf("fingerprint %s does not hash its rule, layers and features (%s): the report was edited", bf.Fingerprint, f.Fingerprint())
	}
	return f, nil
}

func number(n json.Number) (float64, error) {
	if n == "" {
		return 0, nil
	}
	return strconv.ParseFloat(string(n), 64)
}

// baselinePatch is what conflicts.geojson adds to a report.json finding.
type baselinePatch struct {
	geometry             orb.Geometry
	messageZH, messageEN string
}

// loadPatches reads conflicts.geojson and returns the geometry and
// messages of each report.json finding, in the same order (both files
// list the findings in report order; their fingerprints must agree).
func loadPatches(path string, fs []baselineFinding) ([]baselinePatch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &BaselineError{Path: filepath.Dir(path), Msg: "has report.json but no conflicts.geojson"}
		}
		return nil, &BaselineError{Path: path, Msg: err.Error()}
	}
	var fc struct {
		Features []struct {
			Geometry   *jsonGeometry `json:"geometry"`
			Properties struct {
				Fingerprint string `json:"fingerprint"`
				MessageZH   string `json:"message_zh"`
				MessageEN   string `json:"message_en"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, &BaselineError{Path: path, Msg: "not a GeoJSON FeatureCollection: " + err.Error()}
	}
	if len(fc.Features) != len(fs) {
		return nil, &BaselineError{Path: path, Msg: fmt.Sprintf("has %d features but report.json has %d findings: the two files are from different runs", len(fc.Features), len(fs))}
	}
	out := make([]baselinePatch, len(fs))
	for i, feat := range fc.Features {
		out[i].messageZH, out[i].messageEN = feat.Properties.MessageZH, feat.Properties.MessageEN
		if fp := feat.Properties.Fingerprint; fp != fs[i].Fingerprint {
			return nil, &BaselineError{Path: path, Msg: fmt.Sprintf("feature %d has fingerprint %q where report.json has %q: the two files are from different runs", i+1, fp, fs[i].Fingerprint)}
		}
		if feat.Geometry != nil {
			g, err := feat.Geometry.orb()
			if err != nil {
				return nil, &BaselineError{Path: path, Msg: fmt.Sprintf("feature %d: %v", i+1, err)}
			}
			out[i].geometry = g
		}
	}
	return out, nil
}

// jsonGeometry is a GeoJSON geometry as plancheck writes it.
type jsonGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  []jsonGeometry  `json:"geometries"`
}

func (g *jsonGeometry) orb() (orb.Geometry, error) {
	var err error
	decode := func(v any) {
		if err == nil {
			err = json.Unmarshal(g.Coordinates, v)
		}
	}
	var out orb.Geometry
	switch g.Type {
	case "Point":
		var p orb.Point
		decode(&p)
		out = p
	case "MultiPoint":
		var mp orb.MultiPoint
		decode(&mp)
		out = mp
	case "LineString":
		var ls orb.LineString
		decode(&ls)
		out = ls
	case "MultiLineString":
		var ml orb.MultiLineString
		decode(&ml)
		out = ml
	case "Polygon":
		var p orb.Polygon
		decode(&p)
		out = p
	case "MultiPolygon":
		var mp orb.MultiPolygon
		decode(&mp)
		out = mp
	case "GeometryCollection":
		var c orb.Collection
		for i := range g.Geometries {
			m, err := g.Geometries[i].orb()
			if err != nil {
				return nil, err
			}
			c = append(c, m)
		}
		out = c
	default:
		return nil, fmt.Errorf("unknown geometry type %q", g.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s coordinates: %w", g.Type, err)
	}
	return out, nil
}

// guidOf formats the first 16 bytes of a hash as an RFC 4122 name-based
// UUID (version 5 layout), the form SARIF requires of baselineGuid.
func guidOf(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

const dateLayout = "2006-01-02"
