//! `array_spans(data, key)`: where the elements of one array member of a JSON object lie.
//!
//! kubeset.codec.chunked decodes a big list body in batches (the event loop runs between them):
//! it needs the byte spans of the elements of the top-level object's `"items"` array, found
//! without building anything.  This is a byte scanner, not a parser: it follows the object's
//! members, and inside a value it tracks only string state (a backslash escapes the next byte)
//! and nesting depth.  Whatever it does not recognise (a top-level key with an escape in it, the
//! key twice, a value that is not an array, bytes after the object, unbalanced nesting) gives
//! `None`: the caller then decodes the whole body at once, and the real parser words the error.
//! The spans it returns are checked again by that parser, which reads every piece.
//!
//! The scan runs with the GIL released: the bytes object is immutable and kept alive by the
//! caller.

/// `(start, end, bounds)`: `data[start..end]` is the array (brackets included), and element `i`
/// is `data[bounds[2 i]..bounds[2 i + 1]]`.
pub type Spans = (usize, usize, Vec<usize>);

struct Scanner<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.data.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Past the string starting at `pos` (a `"`); whether it held a backslash.
    fn string(&mut self) -> Option<bool> {
        let data = self.data;
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            match *data.get(i)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        Some(escaped)
    }

    /// Past the value starting at `pos`.
    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let data = self.data;
                let mut depth = 0usize;
                let mut i = self.pos;
                loop {
                    match *data.get(i)? {
                        b'"' => {
                            self.pos = i;
                            self.string()?;
                            i = self.pos;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos = i + 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }

    /// The elements of the array starting at `pos` (a `[`): their bounds, `pos` past the `]`.
    fn elements(&mut self) -> Option<Vec<usize>> {
        let mut bounds = Vec::new();
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(bounds);
        }
        loop {
            self.skip_ws();
            bounds.push(self.pos);
            self.value()?;
            bounds.push(self.pos);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(bounds);
                }
                _ => return None,
            }
        }
    }

    fn object_member_array(&mut self, key: &[u8]) -> Option<Spans> {
        self.expect(b'{')?;
        let mut found: Option<Spans> = None;
        self.skip_ws();
        if self.peek()? == b'}' {
            return None; // no members: nothing to find
        }
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let start = self.pos + 1;
            if self.string()? {
                return None; // an escaped key might spell `key`: leave it to the parser
            }
            let name = &self.data[start..self.pos - 1];
            self.expect(b':')?;
            self.skip_ws();
            if name == key {
                if found.is_some() || self.peek()? != b'[' {
                    return None;
                }
                let at = self.pos;
                let bounds = self.elements()?;
                found = Some((at, self.pos, bounds));
            } else {
                self.value()?;
            }
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.skip_ws();
        if self.pos != self.data.len() {
            return None;
        }
        found
    }
}

/// The spans of the array `key` of the JSON object `data`, or `None` (see the module docs).
pub fn array_spans(data: &[u8], key: &[u8]) -> Option<Spans> {
    Scanner { data, pos: 0 }.object_member_array(key)
}
