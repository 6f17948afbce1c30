package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Text is a message in English and in Chinese, made at one place from the
// same arguments, so that both say the same where and why. Problems carry
// one; reports write Message as message_en and MessageZH as message_zh.
//
// The Chinese half follows the English one clause by clause: full-width
// punctuation between clauses (，；：（）), numbers, codes, ids, file
// names and quoted values exactly as in the English half, and a place as
// "位于 lon lat 附近" where the English says "at or near lon lat".
type Text struct {
	Message   string // English
	MessageZH string // Chinese
}

// Textf formats en and zh with the same arguments (use explicit indexes,
// %[2]s, where Chinese orders them differently). An argument that is a
// Text is written in the language being formatted.
func Textf(en, zh string, args ...any) Text {
	enArgs := make([]any, len(args))
	zhArgs := make([]any, len(args))
	for i, a := range args {
		enArgs[i], zhArgs[i] = a, a
		if t, ok := a.(Text); ok {
			enArgs[i], zhArgs[i] = t.Message, t.MessageZH
		}
	}
	return Text{Message: fmt.Sprintf(en, enArgs...), MessageZH: fmt.Sprintf(zh, zhArgs...)}
}

// Same is a text that reads the same in both languages: a message quoted
// from a library, a driver or a file, which plancheck cannot translate.
func Same(s string) Text { return Text{Message: s, MessageZH: s} }

// Near appends where the problem is: " at or near lon lat" and
// "，位于 lon lat 附近", the coordinates rounded to 7 decimals.
func (t Text) Near(at orb.Point) Text {
	x, y := formatCoord(round7(at[0])), formatCoord(round7(at[1]))
	return Textf("%s at or near %s %s", "%s，位于 %s %s 附近", t, x, y)
}
