// protocolInfo and DLNA.ORG_* decoding, against the values the Leica Q3 and minidlna send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DLNA_FLAG_BITS, decodeDlnaFlags, describeProtocolInfo, parseProtocolInfo } from '../../src/core/av/protocolInfo';

const sourceProtocolInfo = readFileSync(join(__dirname, '..', 'fixtures', 'didl', 'leica-source-protocol-info.txt'), 'utf8').trim();

describe('parseProtocolInfo', () => {
  it("splits the Leica thumbnail's four fields and decodes every DLNA parameter", () => {
    const p = parseProtocolInfo('http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_TN;DLNA.ORG_OP=01;DLNA.ORG_CI=1;DLNA.ORG_FLAGS=00900000000000000000000000000000;LEICA.COM_PN=CAM_TN');
    assert.equal(p.protocol, 'http-get');
    assert.equal(p.network, '*');
    assert.equal(p.contentFormat, 'image/jpeg');
    assert.equal(p.additionalInfo, 'DLNA.ORG_PN=JPEG_TN;DLNA.ORG_OP=01;DLNA.ORG_CI=1;DLNA.ORG_FLAGS=00900000000000000000000000000000;LEICA.COM_PN=CAM_TN');
    assert.deepEqual({ ...p.params }, {
      'DLNA.ORG_PN': 'JPEG_TN', 'DLNA.ORG_OP': '01', 'DLNA.ORG_CI': '1',
      'DLNA.ORG_FLAGS': '00900000000000000000000000000000', 'LEICA.COM_PN': 'CAM_TN',
    });
    assert.deepEqual(p.dlna, {
      profile: 'JPEG_TN',
      operations: { timeSeek: false, range: true, raw: '01' },
      converted: true,
      flags: { raw: '00900000000000000000000000000000', names: ['interactiveTransferMode', 'dlnaV15'] },
    });
    assert.deepEqual(p.problems, []);
    assert.equal(describeProtocolInfo(p), 'image/jpeg over HTTP GET · DLNA JPEG_TN · converted · byte-range seek · flags interactiveTransferMode, dlnaV15 · LEICA.COM_PN=CAM_TN');
  });

  it("reads the Leica original's three fields: parameters glued to the MIME type, quotes stripped", () => {
    const p = parseProtocolInfo("http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'");
    assert.equal(p.contentFormat, 'application/octet-stream');
    assert.equal(p.additionalInfo, '');
    assert.equal(p.params['LEICA.COM_PN'], 'CAM_DNG');
    assert.equal(p.params['OriginalFileName'], 'L1010972.DNG');
    assert.equal(p.dlna, undefined);
    assert.deepEqual(p.problems, ['protocolInfo has 3 fields; UPnP expects 4 (protocol:network:contentFormat:additionalInfo).']);
    assert.equal(describeProtocolInfo(p), 'application/octet-stream over HTTP GET · LEICA.COM_PN=CAM_DNG · OriginalFileName=L1010972.DNG');
  });

  it("reads minidlna's plain and DLNA values", () => {
    const wav = parseProtocolInfo('http-get:*:audio/x-wav:*');
    assert.equal(wav.contentFormat, 'audio/x-wav');
    assert.equal(wav.additionalInfo, '*');
    assert.deepEqual({ ...wav.params }, {});
    assert.equal(wav.dlna, undefined);
    const sm = parseProtocolInfo('http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_SM;DLNA.ORG_OP=01;DLNA.ORG_CI=0;DLNA.ORG_FLAGS=00F00000000000000000000000000000');
    assert.deepEqual(sm.dlna?.flags?.names, ['interactiveTransferMode', 'backgroundTransferMode', 'connectionStall', 'dlnaV15']);
    assert.equal(sm.dlna?.converted, false);
    const tn = parseProtocolInfo('http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_TN;DLNA.ORG_CI=1');
    assert.deepEqual(tn.dlna, { profile: 'JPEG_TN', converted: true });
  });

  it("decodes every entry of the camera's SourceProtocolInfo", () => {
    const list = sourceProtocolInfo.split(',').map(parseProtocolInfo);
    assert.equal(list.length, 7);
    assert.deepEqual(list.map((p) => p.dlna?.profile ?? p.contentFormat), ['JPEG_LRG', 'JPEG_MED', 'JPEG_SM', 'JPEG_TN', 'application/octet-stream', 'AVC_MP4_BL_L31_HD_AAC', 'AVC_MP4_MP_HD_1080i_AAC']);
    assert.deepEqual(list[5]!.dlna?.flags?.names, ['streamingTransferMode', 'dlnaV15']);
    assert.deepEqual(list[4]!.problems, ['protocolInfo has 3 fields; UPnP expects 4 (protocol:network:contentFormat:additionalInfo).']);
  });

  it('keeps colons of the fourth field, audio MIME parameters, and never throws', () => {
    const p = parseProtocolInfo('http-get:*:audio/L16;rate=44100;channels=2:DLNA.ORG_PN=LPCM;X.COM_URL=http://h:80/x');
    assert.equal(p.contentFormat, 'audio/L16');
    assert.equal(p.params['rate'], '44100');
    assert.equal(p.params['channels'], '2');
    assert.equal(p.params['X.COM_URL'], 'http://h:80/x');
    for (const bad of ['', 'garbage', ':::', 'http-get:*:image/jpeg:DLNA.ORG_OP=2;DLNA.ORG_CI=yes;DLNA.ORG_FLAGS=zz', 'http-get:*:x:DLNA.ORG_FLAGS=009']) {
      assert.doesNotThrow(() => describeProtocolInfo(parseProtocolInfo(bad)), bad);
    }
    assert.deepEqual(parseProtocolInfo('').problems, ['protocolInfo is empty.']);
    assert.deepEqual(parseProtocolInfo('http-get:*:image/jpeg:DLNA.ORG_OP=2;DLNA.ORG_CI=yes;DLNA.ORG_FLAGS=zz').problems, [
      'DLNA.ORG_OP is "2"; expected two binary digits.',
      'DLNA.ORG_CI is "yes"; expected 0 or 1.',
      'DLNA.ORG_FLAGS is "zz"; expected 32 hexadecimal digits.',
    ]);
    // Short flags are read as the leading digits (padded), but reported.
    const short = parseProtocolInfo('http-get:*:x:DLNA.ORG_FLAGS=009');
    assert.deepEqual(short.dlna?.flags?.names, ['interactiveTransferMode', 'dlnaV15']);
    assert.equal(short.problems.length, 1);
  });
});

describe('decodeDlnaFlags', () => {
  it('names each primary flag bit (DLNA guidelines: bit 31 senderPaced … bit 20 dlnaV15)', () => {
    for (const [bit, name] of DLNA_FLAG_BITS) {
      const hex = ((1 << bit) >>> 0).toString(16).padStart(8, '0') + '0'.repeat(24);
      assert.deepEqual(decodeDlnaFlags(hex), { names: [name], valid: true }, `${name} = bit ${bit} = ${hex}`);
    }
    assert.deepEqual(decodeDlnaFlags('8E100000000000000000000000000000').names, ['senderPaced', 's0Increasing', 'snIncreasing', 'rtspPause', 'dlnaV15']);
    assert.deepEqual(decodeDlnaFlags('01700000000000000000000000000000').names, ['streamingTransferMode', 'backgroundTransferMode', 'connectionStall', 'dlnaV15']);
    assert.deepEqual(decodeDlnaFlags('00000000000000000000000000000000'), { names: [], valid: true });
    assert.deepEqual(decodeDlnaFlags('00080000000000000000000000000000').names, ['bit19']);
    assert.equal(decodeDlnaFlags('0090000000000000000000000000000X').valid, false);
  });
});
