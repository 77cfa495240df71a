import { expect } from 'chai';
import { Readable } from 'node:stream';
import { LineSplitter, readLines } from './lines';

describe('parse: LineSplitter', () => {
  it('joins lines cut across chunks and strips LF / CRLF (also a CR and LF in different chunks)', () => {
    const s = new LineSplitter();
    expect(s.push('type=A msg=1\ntype=B ')).to.deep.equal(['type=A msg=1']);
    expect(s.push('msg=2\r')).to.deep.equal([]);
    expect(s.push('\ntype=C\r\n\n')).to.deep.equal(['type=B msg=2', 'type=C', '']);
    expect(s.push('tail')).to.deep.equal([]);
    expect(s.end()).to.deep.equal(['tail']);
    expect(s.end()).to.deep.equal([]);
  });

  it('decodes UTF-8 characters cut across Buffer chunks', () => {
    const bytes = Buffer.from('name="é"\nx\n');
    const s = new LineSplitter();
    const out = [...s.push(bytes.subarray(0, 7)), ...s.push(bytes.subarray(7)), ...s.end()];
    expect(out).to.deep.equal(['name="é"', 'x']);
  });

  it('cuts a newline-less run at maxLineLength instead of buffering it all', () => {
    const s = new LineSplitter({ maxLineLength: 4 });
    expect(s.push('abcdefghij')).to.deep.equal(['abcd', 'efgh']);
    expect(s.push('\n')).to.deep.equal(['ij']);
    expect(s.overlong).to.equal(2);
  });

  it('readLines splits an async stream, every chunk size giving the same lines', async () => {
    const text = 'type=A x=1\r\ntype=B y="é"\ntype=C';
    for (const size of [1, 2, 3, 7, 100]) {
      const buf = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
      const got: string[] = [];
      for await (const l of readLines(Readable.from(chunks))) got.push(l);
      expect(got, `chunk size ${size}`).to.deep.equal(['type=A x=1', 'type=B y="é"', 'type=C']);
    }
  });
});

describe('parse: LineSplitter on bytes', () => {
  it('cuts a newline-less run of bytes at maxLineLength and counts the pieces', () => {
    const s = new LineSplitter({ maxLineLength: 4 });
    expect(s.push(Buffer.from('abcdefghij'))).to.deep.equal(['abcd', 'efgh']);
    expect(s.push(Buffer.from('\nxy'))).to.deep.equal(['ij']);
    expect(s.end()).to.deep.equal(['xy']);
    expect(s.overlong).to.equal(2);
  });

  it('goes on as text when text follows bytes, losing nothing', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('type=A x=1\ntype=B'))).to.deep.equal(['type=A x=1']);
    expect(s.push(' y=2\ntype=C')).to.deep.equal(['type=B y=2']);
    expect(s.end()).to.deep.equal(['type=C']);
  });
});
