package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// RawProperty is one property as a reader hands it over: its name and
// its value as JSON text. JSON text is the one form of properties every
// reader gives: GeoJSON holds them so, and BuildLayer writes a Record's
// attributes so; Properties decodes a value only when it is asked for.
type RawProperty struct {
	Name  string
	Value []byte // a JSON value, checked by the reader
}

// Properties reads one feature's properties by name, decoding only the
// values asked for. Of duplicate names the last counts, as in
// encoding/json. It is valid only during the ReadOptions.Attributes call
// it is given to. The zero value has no properties.
type Properties struct {
	members []RawProperty
}

// PropertiesOf views ps, in their order, as Properties. A reader checks
// that every value is valid JSON before; ps is not copied, so the reader
// may reuse it once the view is no longer used.
func PropertiesOf(ps []RawProperty) Properties { return Properties{members: ps} }

// String returns the property name when it is a JSON string; ok is false
// when it is absent or of another kind. Unlike Get, it does not box the
// string in an interface.
func (p Properties) String(name string) (s string, ok bool) {
	raw, found := lookup(p.members, name)
	if !found || len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	s, err := jsonString(raw)
	return s, err == nil // the reader checked it, so err is nil
}

// Has reports whether the property name is present with a value other
// than null.
func (p Properties) Has(name string) bool {
	raw, ok := lookup(p.members, name)
	return ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// Names returns the property names, in file order.
func (p Properties) Names() []string {
	out := make([]string, len(p.members))
	for i, m := range p.members {
		out[i] = m.Name
	}
	return out
}

// Get returns the value of the property name: a string, json.Number,
// bool, nil, or a nested []any or map[string]any.
func (p Properties) Get(name string) (any, bool) {
	raw, ok := lookup(p.members, name)
	if !ok {
		return nil, false
	}
	v, err := propertyValue(raw)
	if err != nil {
		return nil, false // the reader checked it, so unreachable
	}
	return v, true
}

// Raw returns the JSON text of the property name.
func (p Properties) Raw(name string) ([]byte, bool) { return lookup(p.members, name) }

// Map decodes every property, as Get does, into the map
// Feature.Properties holds; an error names a value that is not JSON.
func (p Properties) Map() (map[string]any, error) {
	props := make(map[string]any, len(p.members))
	for _, m := range p.members {
		v, err := propertyValue(m.Value)
		if err != nil {
			return nil, err
		}
		props[m.Name] = v
	}
	return props, nil
}

func lookup(ms []RawProperty, name string) ([]byte, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Name == name {
			return ms[i].Value, true
		}
	}
	return nil, false
}

// propertyValue decodes one property value.
func propertyValue(raw []byte) (any, error) {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 {
		return nil, errors.New("empty value")
	}
	switch c := v[0]; {
	case c == '"':
		return jsonString(v)
	case c == '-' || (c >= '0' && c <= '9'):
		if !json.Valid(v) {
			return nil, errors.New("malformed number")
		}
		return json.Number(v), nil
	case bytes.Equal(v, []byte("true")):
		return true, nil
	case bytes.Equal(v, []byte("false")):
		return false, nil
	case bytes.Equal(v, []byte("null")):
		return nil, nil
	}
	if !json.Valid(v) {
		// A decoder would read "trueX" as true and stop.
		return nil, errors.New("malformed value")
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return x, nil
}

// jsonString decodes a JSON string the reader has checked; the common
// one (no escapes, valid UTF-8) needs no decoder.
func jsonString(tok []byte) (string, error) {
	if inner := tok[1 : len(tok)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}
