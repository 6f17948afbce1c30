package rules

import (
	"cmp"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Input describes one layer file that went into a run.
type Input struct {
	Layer    string
	Level    string
	File     string // path as given in the manifest, slash-separated
	SHA256   string
	Features int
	// The feature accounting (see NewInput): of the Read features,
	// Checked take part in the rules and Excluded do not, by reason (the
	// input rule that reports each one), sorted by reason; Checked plus
	// the Excluded counts is Read.
	Read     int
	Checked  int
	Excluded []Exclusion
	// Accounted is set by NewInput: the three fields above are filled in
	// (reports leave them out of an Input built by hand without them).
	Accounted bool
}

// RuleInfo is what reports need to describe a rule (SARIF descriptors,
// the HTML legend).
type RuleInfo struct {
	Name     string
	Title    string // the title of the rule's doc
	Doc      string // the doc as plain text (Doc.Text)
	Severity Severity
	// Help is the rule's doc in fields and Settings the settings it
	// reads, for reports that render them; a RuleInfo made with Doc alone
	// has a zero Help (see Structured).
	Help     Doc
	Settings []Setting
}

// Structured is the rule's doc in fields: Help, or else Doc read with
// ParseDoc.
func (ri RuleInfo) Structured() Doc {
	if ri.Help != (Doc{}) {
		return ri.Help
	}
	return ParseDoc(ri.Doc)
}

// MapLayer is a layer's geometry for the report map (lon/lat).
type MapLayer struct {
	Name     string
	Level    string
	Features []orb.Geometry
}

// Result is everything a report writer needs. Findings are sorted with
// SortFindings before a Result is handed to a writer.
type Result struct {
	Tool      string
	Version   string
	Command   string // "check" or "validate"
	PlanSet   string // manifest name
	Asof      int
	MinAreaM2 float64
	Inputs    []Input
	Rules     []RuleInfo
	Findings  []Finding
	Map       []MapLayer // may be empty (validate of a single file)
	// Districts and Statistics are set when the plan set has a boundary
	// layer (see AssignDistricts).
	Districts  []District
	Statistics []DistrictStat
	// Date is the run date (YYYY-MM-DD, --date) decisions expire against
	// and new findings are first seen on; "" leaves it out of reports.
	Date string
	// Baseline describes the earlier run findings were compared with; nil
	// without --baseline.
	Baseline *BaselineInfo
	// Decisions is the decisions file of the plan set, "" when none.
	Decisions string
	// Only is the --only layer the findings were filtered to, "" for all.
	Only string
	// SourceRoot is the plan set's directory as seen from where plancheck
	// runs (slash-separated, "" for the working directory itself). CI
	// formats (SARIF, GitHub, JUnit) prefix it to Location.File so paths
	// resolve from the repository root; other reports keep paths relative
	// to the plan set.
	SourceRoot string
	// OutCRS is the CRS conflicts.gpkg is written in (the layers'
	// CGCS2000 zone, for GIS work in metres); nil is EPSG:4326. Reports
	// meant for the web and the field (GeoJSON, KML) stay in lon/lat.
	OutCRS *geo.CRS
}

// SourcePath is a plan-set-relative file as seen from where plancheck runs.
func (r *Result) SourcePath(file string) string {
	if r.SourceRoot == "" || r.SourceRoot == "." || file == "" || strings.Contains(file, "://") {
		return file
	}
	return strings.TrimSuffix(r.SourceRoot, "/") + "/" + file
}

// BaselineInfo names the earlier run a check was compared with.
type BaselineInfo struct {
	Dir  string
	GUID string // derived from the baseline's report.json (SARIF baselineGuid)
	Date string // the baseline run's date, when known
}

// SortFindings orders findings by severity (highest first), layer, feature
// id and rule, so every report is byte-stable.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := slices.Compare(a.Layers, b.Layers); c != 0 {
			return c
		}
		if c := slices.Compare(a.Features, b.Features); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Location.Line, b.Location.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
}

// CountAtOrAbove counts findings at or above a severity, for --fail-on:
// waived and absent findings never count, and with a baseline only new and
// updated ones do.
func (r *Result) CountAtOrAbove(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s && f.Counts(r.Baseline != nil) {
			n++
		}
	}
	return n
}
