package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut junitText     `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string
	Type    string
	Text    junitText
}

func (f junitFailure) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "message"}, Value: f.Message},
		xml.Attr{Name: xml.Name{Local: "type"}, Value: f.Type})
	return f.Text.MarshalXML(e, start)
}

// junitText is element content with its line breaks kept: encoding/xml
// writes a string field's "\n" as "&#xA;", but not a CharData token's.
type junitText string

func (t junitText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeToken(xml.CharData(t)); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// JUnit writes JUnit XML for CI test views with --fail-on error: see
// JUnitFailOn.
func JUnit(w io.Writer, r *rules.Result) error {
	return JUnitFailOn(w, r, rules.Error)
}

// JUnitFailOn writes JUnit XML for CI test views: one testsuite per rule
// (every rule in r.Rules, in that order) and one testcase per finding.
// A finding is a failing testcase (failure type = severity) only when it
// is what --fail-on failOn counts: at or above failOn and counted by
// Finding.Counts (never waived or absent findings; with a baseline only
// new and updated ones). Every other finding is a passing testcase with
// the finding and the reason it does not fail in system-out, so a CI test
// view agrees with plancheck's exit code. A rule without findings gets one
// passing testcase named "no findings". file= is the layer file as seen
// from where plancheck runs (Result.SourcePath).
func JUnitFailOn(w io.Writer, r *rules.Result, failOn rules.Severity) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	list := ruleList(r, fs)
	byRule := make(map[string][]rules.Finding, len(list))
	for _, f := range fs {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	out := junitSuites{Name: clean(toolName(r))}
	for _, ri := range list {
		name := clean(ri.Name)
		s := junitSuite{Name: name}
		for _, f := range byRule[ri.Name] {
			c := junitCase{
				Name:      junitCaseName(f),
				Classname: "plancheck." + name,
				File:      clean(r.SourcePath(f.Location.File)),
				Line:      f.Location.Line,
			}
			text := junitDetail(f)
			if why := junitPasses(r, f, failOn); why == "" {
				c.Failure = &junitFailure{Message: clean(message(f)), Type: f.Severity.String(), Text: junitText(text)}
				s.Failures++
			} else {
				c.SystemOut = junitText(text + "\nnot a failure: " + why)
			}
			s.Cases = append(s.Cases, c)
		}
		if len(s.Cases) == 0 {
			s.Cases = []junitCase{{Name: "no findings", Classname: "plancheck." + name}}
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("report: writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitPasses is why a finding is not a failure under --fail-on failOn,
// "" when it is one.
func junitPasses(r *rules.Result, f rules.Finding, failOn rules.Severity) string {
	switch {
	case f.Review != nil && f.Review.State == rules.StateAbsent:
		return "resolved since the baseline (absent)"
	case f.Review != nil && f.Review.Waived:
		return "waived by an accepted decision"
	case f.Severity < failOn:
		return f.Severity.String() + " is below --fail-on " + failOn.String()
	case !f.Counts(r.Baseline != nil):
		return f.Review.State + " since the baseline (only new and updated findings fail)"
	}
	return ""
}

// junitCaseName is the subject of a finding, with its file and line for
// findings that have one, so test cases stay distinct.
func junitCaseName(f rules.Finding) string {
	name := clean(f.Subject())
	if loc := location(f); loc != "" && f.Location.Line > 0 {
		name += " (" + clean(loc) + ")"
	}
	if name == "" {
		name = clean(f.Rule)
	}
	return name
}

// junitDetail is the body of a failure or system-out: one "key: value"
// line per fact.
func junitDetail(f rules.Finding) string {
	lines := []string{
		"severity: " + f.Severity.String(),
		"subject: " + clean(f.Subject()),
	}
	if len(f.Classes) > 0 {
		lines = append(lines, "classes: "+clean(strings.Join(f.Classes, " × ")))
	}
	if f.AreaM2 != 0 {
		lines = append(lines, "area: "+metres(f.AreaM2)+" m² ("+hectares(f.AreaM2)+" ha)")
	}
	if f.LengthM != 0 {
		lines = append(lines, "length: "+metres(f.LengthM)+" m")
	}
	if loc := location(f); loc != "" {
		lines = append(lines, "location: "+clean(loc))
	}
	if f.At != nil {
		lines = append(lines, "at or near: "+degrees(f.At[0])+" "+degrees(f.At[1]))
	}
	lines = append(lines, "message: "+clean(message(f)), "fingerprint: "+f.Fingerprint())
	if rv := f.Review; rv != nil {
		if rv.State != "" {
			lines = append(lines, "state: "+rv.State)
		}
		if rv.FirstSeen != "" {
			lines = append(lines, "first seen: "+clean(rv.FirstSeen))
		}
		if d := rv.Decision; d != nil {
			dl := "decision: " + clean(d.Status)
			if d.Basis != "" {
				dl += " (" + clean(d.Basis) + ")"
			}
			if d.Expired {
				dl += ", expired " + clean(d.Expires)
			}
			lines = append(lines, dl)
		}
	}
	return strings.Join(lines, "\n")
}
