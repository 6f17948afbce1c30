// Package report writes a rules.Result in the formats plancheck offers:
// text, JSON, SARIF, GitHub Actions annotations and JUnit XML on standard
// output, and conflicts.geojson, report.md and report.html as files.
//
// Every writer is a leaf: it reads the Result, writes to an io.Writer and
// returns an error; it never prints elsewhere or exits. The same Result
// always gives byte-identical output: findings are ordered with
// rules.SortFindings, maps are keyed in sorted order, areas and lengths are
// rounded to 0.01 m and lon/lat to 1e-7 degrees before formatting.
//
// Machine formats (JSON, SARIF, GeoJSON) carry user-provided strings as
// they are, escaped by JSON. Formats meant to be read in a terminal or a
// browser (text, GitHub, JUnit, Markdown, HTML) pass every user-provided
// string through clean, which drops terminal escape sequences and control
// characters.
package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
)

// Output is one report plancheck writes: on standard output (--format
// Name), as a file of --out (File), or both. The table below is the one
// place a format is added: the CLI's --format check, check --out and its
// usage text all derive from it.
type Output struct {
	Name  string // --format name; "" for a file only
	File  string // file name under --out; "" for standard output only
	Write func(io.Writer, *rules.Result) error
	// Needs says whether a result has what the file shows (statistics
	// need district boundaries); nil means always.
	Needs func(*rules.Result) bool
}

// Outputs are plancheck's reports: the standard-output formats first, in
// --format order, then the files of --out in the order they are written.
var Outputs = []Output{
	{Name: "text", Write: Text},
	{Name: "json", Write: JSON},
	{Name: "sarif", Write: SARIF},
	{Name: "github", Write: GitHub},
	{Name: "junit", Write: JUnit},
	{File: "conflicts.geojson", Write: GeoJSON},
	{File: "report.json", Write: JSON},
	{File: "report.md", Write: Markdown},
	{File: "report.html", Write: HTML},
	{File: "ledger.xlsx", Write: Ledger},
	{File: "conflicts.kml", Write: KML},
	{File: "conflicts.gpkg", Write: GeoPackage},
	{File: "statistics.csv", Write: StatisticsCSV, Needs: func(r *rules.Result) bool { return len(r.Districts) > 0 }},
}

// Formats lists the formats Write accepts, the ones meant for standard
// output.
var Formats = func() []string {
	var names []string
	for _, o := range Outputs {
		if o.Name != "" {
			names = append(names, o.Name)
		}
	}
	return names
}()

// UnknownFormatError is returned by Write for a format not in Formats.
type UnknownFormatError struct {
	Format string
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("report: unknown format %q (want %s)", e.Format, strings.Join(Formats, ", "))
}

// Write writes r to w in format, one of Formats.
func Write(w io.Writer, format string, r *rules.Result) error {
	for _, o := range Outputs {
		if o.Name == format && o.Name != "" {
			return o.Write(w, r)
		}
	}
	return &UnknownFormatError{Format: format}
}

// ErrNilResult is returned by every writer given a nil Result.
var ErrNilResult = errors.New("report: nil result")

// sortedFindings returns a copy of r.Findings in rules.SortFindings order.
// Callers are expected to sort already; sorting a copy again makes every
// writer byte-stable even if one forgets, and never changes r.
func sortedFindings(r *rules.Result) []rules.Finding {
	fs := slices.Clone(r.Findings)
	rules.SortFindings(fs)
	return fs
}

// ruleList returns r.Rules (a name listed twice is kept once) followed by
// any rule that has findings but is missing from r.Rules (sorted by name,
// severity from its first finding), so every finding has a descriptor to
// point at.
func ruleList(r *rules.Result, fs []rules.Finding) []rules.RuleInfo {
	list := make([]rules.RuleInfo, 0, len(r.Rules))
	known := make(map[string]bool, len(r.Rules))
	for _, ri := range r.Rules {
		if !known[ri.Name] {
			known[ri.Name] = true
			list = append(list, ri)
		}
	}
	var extra []rules.RuleInfo
	for _, f := range fs {
		if !known[f.Rule] {
			known[f.Rule] = true
			extra = append(extra, rules.RuleInfo{Name: f.Rule, Title: f.Rule, Severity: f.Severity})
		}
	}
	slices.SortFunc(extra, func(a, b rules.RuleInfo) int { return strings.Compare(a.Name, b.Name) })
	return append(list, extra...)
}

// message is a finding's message in Chinese and English, "中文 / English",
// or whichever of the two is set.
func message(f rules.Finding) string {
	switch {
	case f.MessageZH == "":
		return f.Message
	case f.Message == "":
		return f.MessageZH
	}
	return f.MessageZH + " / " + f.Message
}

// messageEN is message with English first, for SARIF consumers.
func messageEN(f rules.Finding) string {
	switch {
	case f.MessageZH == "":
		return f.Message
	case f.Message == "":
		return f.MessageZH
	}
	return f.Message + " / " + f.MessageZH
}

// round rounds v to the given number of decimals and turns -0 into 0.
// Dividing by an exact power of ten gives the double nearest to the
// decimal, so strconv.FormatFloat(v, 'f', -1, 64) prints at most that many
// decimals.
func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	v = math.Round(v*p) / p
	if v == 0 {
		return 0 // also -0
	}
	return v
}

// metres formats an area in m² or a length in m, rounded to 0.01.
func metres(v float64) string {
	return strconv.FormatFloat(round(v, 2), 'f', 2, 64)
}

// hectares formats an area given in m² as hectares with 4 decimals (1 m²).
func hectares(m2 float64) string {
	return strconv.FormatFloat(round(m2/1e4, 4), 'f', 4, 64)
}

// degrees formats a longitude or latitude rounded to 1e-7 degrees (about
// 1 cm), with at most 7 decimals.
func degrees(v float64) string {
	return string(appendDegrees(nil, v))
}

func appendDegrees(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, round(v, 7), 'f', -1, 64)
}

// toolName is r.Tool, or "plancheck" when unset.
func toolName(r *rules.Result) string {
	if r.Tool == "" {
		return "plancheck"
	}
	return r.Tool
}

// location is "file:line", "file" or "" for a finding.
func location(f rules.Finding) string {
	if f.Location.File == "" {
		return ""
	}
	if f.Location.Line > 0 {
		// A Shapefile, GeoPackage or database has no lines: say what the
		// number counts ("plan.shp:record 12").
		if unit := planning.RecordUnit(f.Location.File); unit != "" {
			return f.Location.File + ":" + unit + " " + strconv.Itoa(f.Location.Line)
		}
		return f.Location.File + ":" + strconv.Itoa(f.Location.Line)
	}
	return f.Location.File
}

// measure is a finding's area ("1234.50 m²"), else its length
// ("56.00 m"), else "-".
func measure(f rules.Finding) string {
	switch {
	case f.AreaM2 != 0:
		return metres(f.AreaM2) + " m²"
	case f.LengthM != 0:
		return metres(f.LengthM) + " m"
	}
	return "-"
}

// plural is "1 finding" or "2 findings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
