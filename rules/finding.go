package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Severity orders findings; CI gates on it with --fail-on.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info", "note":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("rules: unknown severity %q (want info, warning or error)", s)
}

// Location points a reviewer at the source of a finding: the layer file and
// the line where the feature starts (0 when the file has no line breaks).
type Location struct {
	File string
	Line int
}

// Finding is one conflict (冲突图斑) or one problem with the input.
type Finding struct {
	Rule     string
	Severity Severity
	Layers   []string // layer names, one per feature (or per layer for layer-level findings)
	Features []string // feature ids, parallel to Layers; empty for layer-level findings
	Classes  []string // class codes, parallel to Features
	AreaM2   float64  // geodesic area of the conflict patch
	LengthM  float64  // geodesic length, for line findings
	// Geometry is the conflict patch in lon/lat, the feature itself for
	// single-feature findings, nil for layer-level findings.
	Geometry  orb.Geometry
	Message   string // English
	MessageZH string // Chinese
	Location  Location
	// At is "at or near" for geometry problems; nil when not applicable.
	At *orb.Point
	// District (所在区县) is the boundary feature holding most of the
	// finding, when the plan set has a boundary layer.
	District string
	// Review is the finding's place in the review loop (baseline state,
	// recorded decision); nil when the run has neither a baseline nor a
	// decisions file.
	Review *Review
}

// Baseline states of a finding compared with an earlier run (SARIF
// baselineState).
const (
	StateNew       = "new"       // 新增: no baseline finding matches
	StateUnchanged = "unchanged" // 持续: matched, area within max(1 m², 1 %)
	StateUpdated   = "updated"   // 变化: matched, area changed more
	StateAbsent    = "absent"    // 已消除: a baseline finding nothing matches
)

// Decision statuses of a recorded review decision (协调意见).
const (
	DecisionAccepted    = "accepted"     // 同意保留: waives the finding while unexpired
	DecisionToFix       = "to-fix"       // 需整改
	DecisionUnderReview = "under-review" // 审查中
)

// StateLabelZH is how the ledger and the HTML page name a finding's
// review state (已豁免 for a waived finding, whatever its state).
func (r *Review) StateLabelZH() string {
	switch {
	case r == nil:
		return ""
	case r.Waived:
		return "已豁免"
	}
	return map[string]string{StateNew: "新增", StateUnchanged: "持续", StateUpdated: "变化", StateAbsent: "已消除"}[r.State]
}

// DecisionLabelsZH are the ledger's 处理状态 values; decisions import
// reads them back (and the English statuses too).
var DecisionLabelsZH = map[string]string{
	DecisionAccepted:    "同意保留",
	DecisionToFix:       "需整改",
	DecisionUnderReview: "审查中",
}

// Review is what the review loop knows of a finding.
type Review struct {
	// State is one of the State* constants; "" when the run has no baseline.
	State string
	// FirstSeen is the run date (YYYY-MM-DD) the finding first appeared.
	FirstSeen string
	// PreviousFeatures are the baseline's feature ids of a finding matched
	// by its patch (stage 2) rather than by its ids.
	PreviousFeatures []string
	// PreviousFingerprint is the matched baseline finding's fingerprint.
	PreviousFingerprint string
	// Decision is the recorded decision matching the finding, nil if none.
	Decision *Decision
	// Waived: an accepted decision that has not expired covers the
	// finding; it is never counted by --fail-on.
	Waived bool
}

// Decision is one entry of a decisions file.
type Decision struct {
	Rule        string
	Features    []string // "layer#id", as written
	Fingerprint string
	Status      string // one of the Decision* constants
	Method      string // 协调方式
	Opinion     string // 处理意见
	Basis       string // 依据文号
	By          string
	Date        string // YYYY-MM-DD
	Expires     string // YYYY-MM-DD or ""
	Expired     bool   // Expires is before the run date
	File        string
	Line        int
}

// Counts reports whether the finding is counted by --fail-on: never when
// waived or absent, and with a baseline only when new or updated.
func (f Finding) Counts(withBaseline bool) bool {
	if f.Review == nil {
		return true
	}
	if f.Review.Waived || f.Review.State == StateAbsent {
		return false
	}
	if withBaseline {
		return f.Review.State == StateNew || f.Review.State == StateUpdated
	}
	return true
}

// Fingerprint is a stable hash of rule, layers and feature ids, so a finding
// keeps its identity across runs and reviewers can track it in a ledger.
func (f Finding) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(f.Rule))
	for _, l := range f.Layers {
		h.Write([]byte{0})
		h.Write([]byte(l))
	}
	h.Write([]byte{1})
	for _, id := range f.Features {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Subject names the features (or layers) of a finding, e.g.
// "changsha-master#R-12 × landuse#F-3".
func (f Finding) Subject() string {
	if len(f.Features) == 0 {
		return strings.Join(f.Layers, " × ")
	}
	parts := make([]string, len(f.Features))
	for i, id := range f.Features {
		layer := ""
		if i < len(f.Layers) {
			layer = f.Layers[i]
		}
		parts[i] = layer + "#" + id
	}
	return strings.Join(parts, " × ")
}
