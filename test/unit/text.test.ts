// Device strings shown as one honest line: controls, separators and bidi made visible, codicons
// escaped where VS Code would draw them, file names safe on every OS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeCodicons, hasInvisible, oneLine, pickText, safeFileName, visible } from '../../src/core/util/text';
import type * as vscode from 'vscode';
import { honestChannel } from '../../src/host/text/honestChannel';

describe('visible / oneLine', () => {
  it('makes line breaks, separators, ESC and bidi controls visible', () => {
    assert.equal(visible('a\nb\r\tc'), 'a\\nb\\r\\tc');
    assert.equal(visible('photo\u202Egpj.exe'), 'photo\\u202Egpj.exe');
    assert.equal(visible('x\u2028y\u2029z'), 'x\\u2028y\\u2029z');
    assert.equal(visible('\u001b[31mred'), '\\e[31mred');
    assert.equal(visible('\u2066iso\u2069 \u200Fmark \u061Cal'), '\\u2066iso\\u2069 \\u200Fmark \\u061Cal');
    assert.equal(visible('\u0085next line \u009b'), '\\u0085next line \\u009B');
    // Ordinary text, emoji and other scripts are untouched.
    assert.equal(visible('Wohnzimmer – 📷 東京 عربي'), 'Wohnzimmer – 📷 東京 عربي');
    assert.equal(hasInvisible('plain'), false);
    assert.equal(hasInvisible('a\u202Eb'), true);
  });

  it('cuts long text and says how much is left out', () => {
    assert.equal(oneLine('x'.repeat(12), 10), 'xxxxxxxxxx… (2 more characters)');
    assert.equal(oneLine('a\nb', 10), 'a\\nb');
    assert.equal(oneLine(oneLine('a\nb')), 'a\\nb', 'idempotent');
  });

  it('escapes codicon syntax for quick picks', () => {
    assert.equal(escapeCodicons('$(zap) Pwn'), '\\$(zap) Pwn');
    assert.equal(pickText('$(alert)\nInvoke'), '\\$(alert)\\nInvoke');
  });

  it('is linear on long hostile input', () => {
    const hostile = '\u202E\n$('.repeat(200_000);
    assert.equal(oneLine(hostile, 1000).length < 8000, true);
    assert.equal(pickText(hostile).includes('\n'), false);
  });
});

describe('safeFileName', () => {
  it('removes separators, reserved characters and invisible ones', () => {
    assert.equal(safeFileName('photo\u202Egpj.exe'), 'photo_gpj.exe');
    assert.equal(safeFileName('../../etc/passwd'), '_.._etc_passwd');
    assert.equal(safeFileName('a<b>c:d"e|f?g*h\\i'), 'a_b_c_d_e_f_g_h_i');
    assert.equal(safeFileName('line\nbreak.jpg'), 'line_break.jpg');
  });

  it("avoids Windows' reserved names and trailing dots or spaces", () => {
    assert.equal(safeFileName('CON'), '_CON');
    assert.equal(safeFileName('nul.txt'), '_nul.txt');
    assert.equal(safeFileName('com1.jpg'), '_com1.jpg');
    assert.equal(safeFileName('LPT9'), '_LPT9');
    assert.equal(safeFileName('console.jpg'), 'console.jpg');
    assert.equal(safeFileName('photo. . '), 'photo');
    assert.equal(safeFileName('...'), 'file');
    assert.equal(safeFileName('', 'download'), 'download');
  });

  it('keeps the extension when cutting a long name', () => {
    const name = safeFileName(`${'a'.repeat(300)}.jpeg`);
    assert.equal(name.length, 120);
    assert.ok(name.endsWith('.jpeg'));
  });

});

describe('honestChannel', () => {
  it('writes every string as one honest line, and passes everything else through', () => {
    const written: string[] = [];
    let shown = false;
    const fake = {
      name: 'UPnP',
      appendLine: (line: string) => { written.push(line); },
      info: (message: string, ...args: unknown[]) => { written.push(`${message} ${args.join(',')}`); },
      show: () => { shown = true; },
    };
    const channel = honestChannel(fake as unknown as vscode.LogOutputChannel);
    channel.appendLine('[14:00] Camera\n[14:01] forged\u202E');
    channel.info('Found \u001b[31m', 'x\ny');
    channel.show();
    assert.deepEqual(written, ['[14:00] Camera\\n[14:01] forged\\u202E', 'Found \\e[31m x\\ny']);
    assert.equal(shown, true);
    assert.equal(channel.name, 'UPnP');
  });
});
