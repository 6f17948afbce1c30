package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/plancheck/plancheck/rules"
)

// properties are a finding's fields as conflicts.geojson and report.json
// show them. The field order is the key order of the output.
type properties struct {
	Rule        string      `json:"rule"`
	Severity    string      `json:"severity"`
	Layers      []string    `json:"layers"`
	Features    []string    `json:"features"`
	Classes     []string    `json:"classes"`
	AreaM2      json.Number `json:"area_m2"`
	LengthM     json.Number `json:"length_m"`
	Message     string      `json:"message"`
	Fingerprint string      `json:"fingerprint"`
	District    string      `json:"district,omitempty"`
	// Review keys, present when the run had a baseline or decisions.
	*reviewProperties
}

type reviewProperties struct {
	State            *string  `json:"state"`    // null without a baseline
	Decision         *string  `json:"decision"` // the matched decision's status
	Waived           bool     `json:"waived"`
	FirstSeen        string   `json:"first_seen"`
	PreviousFeatures []string `json:"previous_features"` // stage-2 matches only
}

func newReviewProperties(rv *rules.Review) *reviewProperties {
	if rv == nil {
		return nil
	}
	p := &reviewProperties{Waived: rv.Waived, FirstSeen: rv.FirstSeen, PreviousFeatures: rv.PreviousFeatures}
	if rv.State != "" {
		p.State = &rv.State
	}
	if rv.Decision != nil {
		p.Decision = &rv.Decision.Status
	}
	return p
}

func newProperties(f rules.Finding) properties {
	return properties{
		Rule:        f.Rule,
		Severity:    f.Severity.String(),
		Layers:      nonNil(f.Layers),
		Features:    nonNil(f.Features),
		Classes:     nonNil(f.Classes),
		AreaM2:      json.Number(metres(f.AreaM2)),
		LengthM:     json.Number(metres(f.LengthM)),
		Message:     message(f),
		Fingerprint: f.Fingerprint(),
		District:    f.District,

		reviewProperties: newReviewProperties(f.Review),
	}
}

type jsonReport struct {
	Tool      string      `json:"tool"`
	Version   string      `json:"version"`
	Command   string      `json:"command"`
	PlanSet   string      `json:"planset"`
	Asof      int         `json:"asof"`
	Date      string      `json:"date,omitempty"`
	MinAreaM2 json.Number `json:"min_area_m2"`
	// Only is the --only layer the findings were filtered to.
	Only      string        `json:"only,omitempty"`
	Baseline  *jsonBaseline `json:"baseline,omitempty"`
	Decisions string        `json:"decisions,omitempty"`
	Inputs    []jsonInput   `json:"inputs"`
	Summary   jsonSummary   `json:"summary"`
	// Statistics by district × rule, when the plan set has boundaries.
	Statistics []jsonStat    `json:"statistics,omitempty"`
	Findings   []jsonFinding `json:"findings"`
}

type jsonStat struct {
	District string      `json:"district"`
	Code     string      `json:"code,omitempty"`
	Rule     string      `json:"rule"`
	Count    int         `json:"count"`
	AreaHa   json.Number `json:"area_ha"`
	SharePct json.Number `json:"share_pct"`
}

type jsonInput struct {
	Layer    string `json:"layer"`
	Level    string `json:"level"`
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
	Features int    `json:"features"`
	// The feature accounting, when the run made it (rules.NewInput): read
	// = checked + the excluded counts.
	Read     *int             `json:"read,omitempty"`
	Checked  *int             `json:"checked,omitempty"`
	Excluded *[]jsonExclusion `json:"excluded,omitempty"`
}

type jsonExclusion struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

type jsonBaseline struct {
	Dir  string `json:"dir"`
	GUID string `json:"guid"`
	Date string `json:"date,omitempty"`
}

type jsonSummary struct {
	ByRule      map[string]jsonCount `json:"by_rule"`
	BySeverity  jsonSeverities       `json:"by_severity"`
	ByLayerPair []jsonPair           `json:"by_layer_pair"`
	// With a baseline or decisions: findings by state (new, unchanged,
	// updated, absent) and by decision (accepted, to-fix, under-review,
	// none; waived counts the accepted ones that have not expired).
	ByState    map[string]int `json:"by_state,omitempty"`
	ByDecision map[string]int `json:"by_decision,omitempty"`
}

type jsonCount struct {
	Count  int         `json:"count"`
	AreaM2 json.Number `json:"area_m2"`
}

type jsonSeverities struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

type jsonPair struct {
	Layers []string    `json:"layers"`
	Count  int         `json:"count"`
	AreaM2 json.Number `json:"area_m2"`
}

type jsonFinding struct {
	properties
	File string        `json:"file,omitempty"`
	Line int           `json:"line,omitempty"`
	At   []json.Number `json:"at,omitempty"`
}

// JSON writes report.json: the run (tool, version, command, plan set,
// asof, minimum area, inputs), a summary by rule (every rule, also those
// without findings), by severity and by layer pair, and the findings with
// the conflicts.geojson properties plus file, line and at when set.
func JSON(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	out := jsonReport{
		Tool:      toolName(r),
		Version:   r.Version,
		Command:   r.Command,
		PlanSet:   r.PlanSet,
		Asof:      r.Asof,
		MinAreaM2: json.Number(metres(r.MinAreaM2)),
		Inputs:    make([]jsonInput, len(r.Inputs)),
		Summary: jsonSummary{
			ByRule:      make(map[string]jsonCount, len(s.Rules)),
			BySeverity:  jsonSeverities{Error: s.Errors, Warning: s.Warnings, Info: s.Infos},
			ByLayerPair: make([]jsonPair, len(s.Pairs)),
		},
		Findings:  []jsonFinding{},
		Date:      r.Date,
		Only:      r.Only,
		Decisions: r.Decisions,
	}
	if r.Baseline != nil {
		out.Baseline = &jsonBaseline{Dir: r.Baseline.Dir, GUID: r.Baseline.GUID, Date: r.Baseline.Date}
	}
	out.Summary.ByState, out.Summary.ByDecision = reviewCounts(r, fs)
	for i, in := range r.Inputs {
		out.Inputs[i] = jsonInput{Layer: in.Layer, Level: in.Level, File: in.File, SHA256: in.SHA256, Features: in.Features}
		if in.Accounted {
			read, checked, excluded := in.Read, in.Checked, []jsonExclusion{}
			for _, e := range in.Excluded {
				excluded = append(excluded, jsonExclusion{Reason: e.Reason, Count: e.Count})
			}
			out.Inputs[i].Read, out.Inputs[i].Checked, out.Inputs[i].Excluded = &read, &checked, &excluded
		}
	}
	for _, rc := range s.Rules {
		out.Summary.ByRule[rc.Rule.Name] = jsonCount{Count: rc.Count, AreaM2: json.Number(metres(rc.AreaM2))}
	}
	for i, p := range s.Pairs {
		out.Summary.ByLayerPair[i] = jsonPair{Layers: p.Layers, Count: p.Count, AreaM2: json.Number(metres(p.AreaM2))}
	}
	for _, d := range districtRows(r) {
		out.Statistics = append(out.Statistics, jsonStat{District: d.District, Code: d.Code, Rule: d.Rule, Count: d.Count, AreaHa: json.Number(d.AreaHa), SharePct: json.Number(d.Share)})
	}
	// The findings, last in the report, are encoded one at a time into the
	// place of an empty list: a city-scale run has hundreds of thousands,
	// and a second copy of them as report values would double the memory
	// of this step.
	var buf bytes.Buffer
	if err := jsonEncoder(&buf, "", "  ").Encode(out); err != nil {
		return fmt.Errorf("report: writing JSON: %w", err)
	}
	head, ok := bytes.CutSuffix(buf.Bytes(), []byte("[]\n}\n"))
	if !ok {
		return fmt.Errorf("report: writing JSON: findings are not last")
	}
	bw := bufio.NewWriter(w)
	inertJSON.WriteString(bw, string(head))
	if len(fs) == 0 {
		bw.WriteString("[]\n}\n")
		return bw.Flush()
	}
	bw.WriteString("[\n")
	enc := jsonEncoder(&buf, "    ", "  ")
	for i, f := range fs {
		jf := jsonFinding{properties: newProperties(f), File: f.Location.File, Line: f.Location.Line}
		if f.At != nil {
			jf.At = []json.Number{json.Number(degrees(f.At[0])), json.Number(degrees(f.At[1]))}
		}
		buf.Reset()
		buf.WriteString("    ")
		if err := enc.Encode(jf); err != nil {
			return fmt.Errorf("report: writing JSON: %w", err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		inertJSON.WriteString(bw, string(b))
		if i < len(fs)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("  ]\n}\n")
	return bw.Flush()
}

// reviewCounts counts findings by review state and decision; nil maps
// when no finding has been through the review step.
func reviewCounts(r *rules.Result, fs []rules.Finding) (byState, byDecision map[string]int) {
	reviewed := false
	for _, f := range fs {
		if f.Review != nil {
			reviewed = true
			break
		}
	}
	if !reviewed {
		return nil, nil
	}
	if r.Baseline != nil {
		byState = map[string]int{rules.StateNew: 0, rules.StateUnchanged: 0, rules.StateUpdated: 0, rules.StateAbsent: 0}
	}
	byDecision = map[string]int{rules.DecisionAccepted: 0, rules.DecisionToFix: 0, rules.DecisionUnderReview: 0, "none": 0, "waived": 0}
	for _, f := range fs {
		if f.Review == nil {
			continue
		}
		if byState != nil {
			byState[f.Review.State]++
		}
		if f.Review.State == rules.StateAbsent {
			continue
		}
		switch {
		case f.Review.Decision != nil:
			byDecision[f.Review.Decision.Status]++
		default:
			byDecision["none"]++
		}
		if f.Review.Waived {
			byDecision["waived"]++
		}
	}
	return byState, byDecision
}
