package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// SARIF constants. The schema address is the one the OASIS standard
// publishes (errata 01), which is also the schema's own id.
const (
	sarifSchema    = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/plancheck/plancheck"
	// fingerprintKey names plancheck's partial fingerprint; the /v1 suffix
	// changes if rules.Finding.Fingerprint ever hashes something else.
	fingerprintKey = "plancheck/v1"
	// patchKey is the partial fingerprint of the second matching stage:
	// rule, layers and where the patch lies (its box centre on a ~100 m
	// grid), which survive re-digitised feature ids.
	patchKey = "plancheck/patch/v1"
	// srcRoot is the uriBaseId of every artifact: URIs are relative to the
	// directory plancheck ran in, a CI job's repository root.
	srcRoot = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool         sarifTool           `json:"tool"`
	BaselineGUID string              `json:"baselineGuid,omitempty"`
	Results      []sarifResult       `json:"results"`
	Properties   *sarifRunProperties `json:"properties,omitempty"`
}

// sarifRunProperties says what the run left out: under --only, the
// results are those involving one layer, not the whole set's.
type sarifRunProperties struct {
	Only string `json:"only"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	Version        string            `json:"version,omitempty"`
	InformationURI string            `json:"informationUri"`
	Rules          []sarifDescriptor `json:"rules"`
}

type sarifDescriptor struct {
	ID                   string      `json:"id"`
	ShortDescription     sarifText   `json:"shortDescription"`
	FullDescription      *sarifText  `json:"fullDescription,omitempty"`
	Help                 *sarifText  `json:"help,omitempty"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	BaselineState       string             `json:"baselineState,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifProperties    `json:"properties"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifProperties struct {
	AreaM2   json.Number `json:"area_m2"`
	Layers   []string    `json:"layers"`
	Features []string    `json:"features"`
}

// SARIF writes a SARIF 2.1.0 log with one run. The driver has one
// reporting descriptor per rule (id = name, shortDescription = title,
// fullDescription and help = the doc as text, as explain prints it, and as
// Markdown, defaultConfiguration.level); each result
// points at its rule, has the English and Chinese message, the layer file
// and line as physical location when known, the features (or, for
// layer-level findings, the layers) as logical locations, and the finding
// fingerprint under partialFingerprints["plancheck/v1"].
func SARIF(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	list := ruleList(r, fs)
	index := make(map[string]int, len(list))
	driver := sarifDriver{
		Name:           toolName(r),
		Version:        r.Version,
		InformationURI: informationURI,
		Rules:          make([]sarifDescriptor, len(list)),
	}
	for i, ri := range list {
		index[ri.Name] = i
		title := ri.Title
		if title == "" {
			title = ri.Name
		}
		d := sarifDescriptor{
			ID:                   ri.Name,
			ShortDescription:     sarifText{Text: title},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(ri.Severity)},
		}
		if ri.Doc != "" {
			help := sarifText{Text: ri.Doc, Markdown: helpMarkdown(ri)}
			d.FullDescription, d.Help = &help, &help
		}
		driver.Rules[i] = d
	}
	results := make([]sarifResult, len(fs))
	for i, f := range fs {
		text := messageEN(f)
		if text == "" {
			text = f.Rule + ": " + f.Subject()
		}
		loc := sarifLocation{LogicalLocations: logicalLocations(f)}
		if f.Location.File != "" {
			loc.PhysicalLocation = &sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uriReference(r.SourcePath(f.Location.File)), URIBaseID: srcRoot},
			}
			if f.Location.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Location.Line}
			}
		}
		results[i] = sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{Text: text},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: partialFingerprints(f),
			Suppressions:        suppressions(f),
			Properties: sarifProperties{
				AreaM2:   json.Number(metres(f.AreaM2)),
				Layers:   nonNil(f.Layers),
				Features: nonNil(f.Features),
			},
		}
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	if r.Only != "" {
		log.Runs[0].Properties = &sarifRunProperties{Only: r.Only}
	}
	if r.Baseline != nil {
		log.Runs[0].BaselineGUID = r.Baseline.GUID
		for i, f := range fs {
			if f.Review != nil {
				results[i].BaselineState = f.Review.State
			}
		}
	}
	var buf bytes.Buffer
	if err := jsonEncoder(&buf, "", "  ").Encode(log); err != nil {
		return fmt.Errorf("report: writing SARIF: %w", err)
	}
	_, err := inertJSON.WriteString(w, buf.String())
	return err
}

// logicalLocations names a finding's features as "layer/featureId"
// objects, or its layers as resources for a layer-level finding.
func logicalLocations(f rules.Finding) []sarifLogical {
	if len(f.Features) == 0 {
		ls := make([]sarifLogical, len(f.Layers))
		for i, l := range f.Layers {
			ls[i] = sarifLogical{Name: l, FullyQualifiedName: l, Kind: "resource"}
		}
		return ls
	}
	ls := make([]sarifLogical, len(f.Features))
	for i, id := range f.Features {
		layer := ""
		if i < len(f.Layers) {
			layer = f.Layers[i]
		}
		ls[i] = sarifLogical{Name: id, FullyQualifiedName: layer + "/" + id, Kind: "object"}
	}
	return ls
}

// sarifLevel maps a severity to a SARIF level: error, warning or note.
func sarifLevel(s rules.Severity) string {
	switch {
	case s >= rules.Error:
		return "error"
	case s == rules.Warning:
		return "warning"
	}
	return "note"
}

// uriReference writes a slash-separated relative path as a URI reference:
// each segment percent-encoded, so a space, "%" or "#" in a file name
// stays part of the path.
func uriReference(p string) string {
	segs := strings.Split(strings.ReplaceAll(p, `\`, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// partialFingerprints holds one key per baseline matching stage: the
// finding's identity (rule, layers, feature ids) and, for findings with a
// patch, rule, layers and place.
func partialFingerprints(f rules.Finding) map[string]string {
	fp := map[string]string{fingerprintKey: f.Fingerprint()}
	if f.AreaM2 > 0 && f.Geometry != nil {
		c := f.Geometry.Bound().Center()
		h := sha256.New()
		h.Write([]byte(f.Rule))
		for _, l := range f.Layers {
			h.Write([]byte{0})
			h.Write([]byte(l))
		}
		fmt.Fprintf(h, "\x01%.3f %.3f", c[0], c[1])
		fp[patchKey] = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return fp
}

// suppressions are a finding's recorded decision as SARIF sees it: an
// accepted, unexpired decision suppresses the result; one under review is
// a suppression under review. to-fix and expired decisions suppress
// nothing.
func suppressions(f rules.Finding) []sarifSuppression {
	if f.Review == nil || f.Review.Decision == nil {
		return nil
	}
	d := f.Review.Decision
	var status string
	switch {
	case f.Review.Waived:
		status = "accepted"
	case d.Status == rules.DecisionUnderReview:
		status = "underReview"
	default:
		return nil
	}
	var just []string
	for _, s := range []string{d.Basis, d.Opinion} {
		if s != "" {
			just = append(just, s)
		}
	}
	return []sarifSuppression{{Kind: "external", Status: status, Justification: strings.Join(just, "; ")}}
}

// helpMarkdown renders a rule's doc for SARIF viewers (GitHub code
// scanning shows it with an alert): the title and 标题 in bold, then each
// section as a paragraph led by its heading, and the settings as a list.
func helpMarkdown(ri rules.RuleInfo) string {
	d := ri.Structured()
	var b strings.Builder
	b.WriteString("**" + md(d.Title) + "**")
	if d.TitleZH != "" {
		b.WriteString(" · **" + md(d.TitleZH) + "**")
	}
	for _, sec := range d.Sections(nil) {
		b.WriteString("\n\n**" + md(sec.Heading) + ".** ")
		for i, line := range strings.Split(sec.Text, "\n") {
			if i > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(md(line))
		}
	}
	if len(ri.Settings) > 0 {
		b.WriteString("\n\n**Settings** (`settings:` in plancheck.yaml):\n")
		for _, st := range ri.Settings {
			b.WriteString("\n- `" + st.Name + "`: " + md(strings.TrimPrefix(st.Line(), st.Name+": ")))
		}
	}
	return b.String()
}
