import { Readable } from 'node:stream';
import { expect } from 'chai';
import { configWith } from '../../src/config.ts';
import { categoryOf, detectType, isAllowed, isInlineSafe, sanitizeFileName } from '../../src/domain/files/fileTypes.ts';
import { CFB_BYTES, HWP_BYTES, HWPX_BYTES, PDF_BYTES, PNG_1X1, storedZip } from '../helpers/boards.ts';

const detect = (bytes: Buffer | string) => detectType(() => Readable.from([Buffer.from(bytes)]));

describe('file types and names', () => {
  it('when bytes are sniffed, then binary magic numbers and text markup are told apart whatever the name', async () => {
    expect(await detect(PNG_1X1)).to.deep.equal({ mime: 'image/png', ext: 'png' });
    expect(await detect(PDF_BYTES)).to.deep.equal({ mime: 'application/pdf', ext: 'pdf' });
    expect((await detect('  <!doctype html><p>hi')).mime).to.equal('text/html');
    expect((await detect('\uFEFF<html><script>x</script></html>')).mime).to.equal('text/html');
    expect((await detect('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')).mime).to.equal(
      'image/svg+xml',
    );
    expect((await detect('<?xml version="1.0"?><note/>')).mime).to.equal('application/xml');
    expect((await detect('안녕하세요, plain words.\n')).mime).to.equal('text/plain');
    expect((await detect(Buffer.from([0, 1, 2, 3, 255, 254]))).mime).to.equal('application/octet-stream');
  });

  it('when a type is checked against the allowlist, then MIME types, wildcards and extensions all work', () => {
    const png = { mime: 'image/png', ext: 'png' };
    expect(isAllowed(png, ['image/png'])).to.equal(true);
    expect(isAllowed(png, ['image/*'])).to.equal(true);
    expect(isAllowed(png, ['.png'])).to.equal(true);
    expect(isAllowed(png, ['image/jpeg', 'pdf'])).to.equal(false);
    expect(
      isAllowed({ mime: 'application/vnd.oasis.opendocument.text', ext: 'odt' }, [
        'application/vnd.oasis.opendocument.*',
      ]),
    ).to.equal(true);
  });

  it('when a type is filed, then images, documents and other files go to their folders; only passive types are inline', () => {
    expect(categoryOf('image/webp')).to.equal('images');
    expect(categoryOf('application/pdf')).to.equal('documents');
    expect(categoryOf('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).to.equal('documents');
    expect(categoryOf('application/zip')).to.equal('files');
    expect(isInlineSafe('image/png')).to.equal(true);
    for (const active of ['image/svg+xml', 'text/html', 'application/xml', 'text/javascript'])
      expect(isInlineSafe(active), active).to.equal(false);
  });

  it('when a Korean word-processor file is sniffed, then HWPX (a zip) and HWP (a compound file) are told from their containers', async () => {
    expect(await detect(HWPX_BYTES)).to.deep.equal({
      mime: 'application/hwp+zip',
      ext: 'hwpx',
      container: 'application/zip',
    });
    expect(await detect(HWP_BYTES)).to.deep.equal({
      mime: 'application/x-hwp',
      ext: 'hwp',
      container: 'application/x-cfb',
    });
    expect((await detect(CFB_BYTES)).mime).to.equal('application/x-cfb');
    expect((await detect(storedZip([{ name: 'notes.txt', data: 'hello' }]))).mime).to.equal('application/zip');
    expect((await detect(storedZip([{ name: 'mimetype', data: 'application/x-other' }]))).mime).to.equal(
      'application/zip',
    );
    expect(categoryOf('application/hwp+zip')).to.equal('documents');
    expect(categoryOf('application/x-hwp')).to.equal('documents');
  });

  it('when an allowlist names only the container, then the format inside it is allowed as before', () => {
    const hwp = { mime: 'application/x-hwp', ext: 'hwp', container: 'application/x-cfb' };
    expect(isAllowed(hwp, ['application/x-cfb'])).to.equal(true);
    expect(isAllowed(hwp, ['application/x-hwp'])).to.equal(true);
    expect(isAllowed(hwp, ['hwp'])).to.equal(true);
    expect(isAllowed(hwp, ['application/pdf'])).to.equal(false);
  });

  it('when video is MP4 or WebM, then it may play inline; it is never in the default allowlist', () => {
    expect(isInlineSafe('video/mp4')).to.equal(true);
    expect(isInlineSafe('video/webm')).to.equal(true);
    expect(categoryOf('video/mp4')).to.equal('files');
    expect(configWith({}).UPLOAD_ALLOWED_TYPES).not.to.match(/video|svg/);
  });

  it('when a client name is sanitised, then no path, control or bidi character survives and something is always left', () => {
    expect(sanitizeFileName('../../etc/passwd')).to.equal('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\report.pdf')).to.equal('report.pdf');
    expect(sanitizeFileName('..')).to.equal('file');
    expect(sanitizeFileName('')).to.equal('file');
    expect(sanitizeFileName(undefined)).to.equal('file');
    expect(sanitizeFileName('invoice\u202Efdp.exe')).to.equal('invoicefdp.exe');
    expect(sanitizeFileName('a\u0000b\nc.txt')).to.equal('abc.txt');
    expect(sanitizeFileName('what?<x>.txt')).to.equal('what__x_.txt');
    const long = sanitizeFileName(`${'가'.repeat(300)}.png`);
    expect(long).to.have.length(255);
    expect(long.endsWith('.png')).to.equal(true);
  });
});
