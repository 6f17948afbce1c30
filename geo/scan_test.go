package geo

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"strings"
	"testing"
)

// fastFloat, and the number reader of fastFeature, must agree bit for
// bit with strconv wherever they answer; the number reader must answer
// for every JSON number strconv can represent.
func FuzzFastFloat(f *testing.F) {
	for _, s := range []string{"112.9308658", "-0", "0.1", "28.0999872", "123456789012345", "0.000000000000000000001", "3859412.375", "1.5", "-179.9999999",
		"9007199254740993", "0.12345678901234567890", "1e400", "1E-5", "01", "1.", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := strconv.ParseFloat(s, 64)
		same := func(v float64) bool { return v == want && (v != 0 || (1/v > 0) == (1/want > 0)) }
		if v, ok := fastFloat([]byte(s)); ok {
			if err != nil {
				t.Fatalf("fastFloat accepted %q that strconv rejects: %v", s, err)
			}
			if !same(v) {
				t.Fatalf("fastFloat(%q) = %v, strconv %v", s, v, want)
			}
		}
		sc := &fastScanner{b: []byte(s)}
		v, ok := sc.number()
		isJSON := json.Valid([]byte(s)) && strings.TrimSpace(s) == s && len(s) > 0 && (s[0] == '-' || s[0]-'0' <= 9)
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

// TestMaybeSpecial: the eight-byte skip of nesting.scan must stop at every
// byte that can change the scanner's state, at the right place.
func TestMaybeSpecial(t *testing.T) {
	for c := 0; c < 256; c++ {
		for k := 0; k < 8; k++ {
			word := []byte("12345678")
			word[k] = byte(c)
			if k < 7 {
				word[7] = '"' // a later special byte must not hide this one
			}
			m := maybeSpecial(binary.LittleEndian.Uint64(word))
			at := bits.TrailingZeros64(m) >> 3
			if !plainByte[c] && at != k {
				t.Errorf("byte %#x at %d: first mark at %d", c, k, at)
			}
			if at < k {
				t.Errorf("byte %#x at %d: a plain digit before it marked (%d)", c, k, at)
			}
		}
	}
}
