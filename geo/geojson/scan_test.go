package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// readNumber, and fastFeature's number reader built on it, must agree bit
// for bit with strconv wherever they answer, and answer for every JSON
// number strconv can represent; scanNumber must end a number exactly
// where the JSON grammar does.
func FuzzReadNumber(f *testing.F) {
	for _, s := range []string{"112.9308658", "-0", "0.1", "28.0999872", "123456789012345", "0.000000000000000000001", "3859412.375", "1.5", "-179.9999999",
		"9007199254740993", "0.12345678901234567890", "1e400", "1E-5", "01", "1.", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := strconv.ParseFloat(s, 64)
		same := func(v float64) bool { return v == want && (v != 0 || (1/v > 0) == (1/want > 0)) }
		isJSON := json.Valid([]byte(s)) && strings.TrimSpace(s) == s && len(s) > 0 && (s[0] == '-' || s[0]-'0' <= 9)
		if end, fault := scanNumber([]byte(s), 0); isJSON != (fault == numberOK && end == len(s)) {
			t.Fatalf("scanNumber(%q) = %d, %v; a JSON number: %v", s, end, fault, isJSON)
		}
		if v, end, fault := readNumber([]byte(s), 0); fault == numberOK && end == len(s) {
			if err != nil {
				t.Fatalf("readNumber accepted %q that strconv rejects: %v", s, err)
			}
			if !same(v) {
				t.Fatalf("readNumber(%q) = %v, strconv %v", s, v, want)
			}
		}
		sc := &fastScanner{b: []byte(s)}
		v, ok := sc.number()
		switch {
		case !ok && isJSON && err == nil:
			t.Fatalf("number(%q) refused a JSON number", s)
		case !ok:
		case isJSON && sc.i != len(s):
			t.Fatalf("number(%q) stopped at %d", s, sc.i)
		default:
			// The number read is the literal up to where it stopped.
			want, err = strconv.ParseFloat(strings.TrimLeft(s[:sc.i], " \t\r\n"), 64)
			if err != nil || !same(v) {
				t.Fatalf("number(%q) = %v, strconv of %q %v, %v", s, v, s[:sc.i], want, err)
			}
		}
	})
}

// referenceScan is nesting.scan one byte at a time, as it was before the
// eight-byte fast path.
func referenceScan(n *nesting, b []byte, i int) (int, bool, error) {
	for ; i < len(b); i++ {
		c := b[i]
		if n.inStr {
			switch {
			case n.esc:
				n.esc = false
			case c == '\\':
				n.esc = true
			case c == '"':
				n.inStr = false
				if n.depth == 0 {
					return i + 1, true, nil
				}
			}
			continue
		}
		switch c {
		case '"':
			n.inStr = true
		case '{', '[':
			n.depth++
			if n.depth > maxDepth {
				return i, false, errors.New("too deep")
			}
		case '}', ']':
			n.depth--
			if n.depth == 0 {
				return i + 1, true, nil
			}
			if n.depth < 0 {
				return i, false, errors.New("unbalanced")
			}
		}
	}
	return len(b), false, nil
}

// checkScan compares nesting.scan with referenceScan on b, fed in two
// pieces split at cut (as a stream arrives), from a given starting depth.
func checkScan(t *testing.T, b []byte, cut int, depth int) {
	t.Helper()
	cut = min(cut, len(b))
	fast, ref := nesting{depth: depth}, nesting{depth: depth}
	type result struct {
		end    int
		closed bool
		err    bool
	}
	run := func(scan func(*nesting, []byte, int) (int, bool, error), n *nesting) (result, nesting) {
		end, closed, err := scan(n, b[:cut], 0)
		if !closed && err == nil {
			end, closed, err = scan(n, b, cut)
		}
		return result{end, closed, err != nil}, *n
	}
	got, gotState := run((*nesting).scan, &fast)
	want, wantState := run(referenceScan, &ref)
	if got != want || (!got.closed && !got.err && gotState != wantState) {
		t.Fatalf("scan(%q, cut %d, depth %d) = %+v %+v, byte by byte %+v %+v", b, cut, depth, got, gotState, want, wantState)
	}
}

func TestNestingScanAgreesByteByByte(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`[[[]]],,,0123456789.-"{}\\ ab`)
	for k := 0; k < 20000; k++ {
		b := make([]byte, rng.IntN(80))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkScan(t, b, rng.IntN(len(b)+1), rng.IntN(4))
	}
	deep := bytes.Repeat([]byte("["), maxDepth+20)
	checkScan(t, deep, len(deep), 0)
	checkScan(t, append(bytes.Repeat([]byte("["), maxDepth-3), "[[[[[[[[[["...), 0, 0)
	checkScan(t, []byte(`{"coordinates":[[[112.8854122,28.0927195],[112.8856085,28.0927607]]]}`), 30, 0)
}

// FuzzNestingScan: the eight-byte path changes nothing the scanner says.
func FuzzNestingScan(f *testing.F) {
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`), uint8(10), uint8(0))
	f.Add([]byte(`[[[[[[[[]]]]]]]]]]]]`), uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, cut, depth uint8) {
		checkScan(t, b, int(cut), int(depth%8))
	})
}
