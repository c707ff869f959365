/**
 * lmsh's translation (pure): the seed's rules and examples, whole-word matching, aliases (longest
 * wins), arguments quoted for the shell, and hostile requests that stay text. Nothing here runs a
 * process, and no file of tools/ can: none imports child_process (checked below by reading them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { shellQuote, translate } from './lmsh-rules.js';

t.test('the seed’s rules', async (t) => {
  const cases: [string, string][] = [
    ['list files', 'ls -la'],
    ['show files here', 'ls -la'],
    ['go home', 'cd ~'],
    ['go back', 'cd ..'],
    ['where am i?', 'pwd'],
    ['git status', 'git status'],
    ['what changed', 'git status'],
    ['show commits', 'git log --oneline -20'],
    ['show changes', 'git diff'],
    ['push changes', 'git push'],
    ['get latest', 'git pull'],
    ['list branches', 'git branch -a'],
    ['disk usage', 'df -h'],
    ['show processes', 'ps aux'],
    ['system info', 'uname -a'],
    ['clear screen', 'clear'],
  ];
  for (const [input, command] of cases) {
    const result = translate(input);
    t.equal(result.command, command, input);
    t.equal(result.suggestion, true);
    t.equal(result.executed, false);
  }
  const status = translate('git status');
  t.equal(status.confidence, 1, '0.95 + 0.2 × 10/10, capped at 1');
  t.match(status.explanation, /nothing was run/);
  const disk = translate('how much disk space is left on this machine');
  t.equal(disk.confidence, Math.round((0.95 + (0.2 * 10) / 43) * 1000) / 1000);
});

t.test('alternatives: other matching rules, best first, at most 3', async (t) => {
  const result = translate('git status and git diff and git log and git branch and disk usage');
  t.equal(result.command, 'git status');
  t.same(result.alternatives, ['df -h', 'git branch -a', 'git diff'], 'by score: base, then trigger length');
});

t.test('whole words only: the seed’s "ls" in "tools" and "ps" in "steps" no longer match', async (t) => {
  t.same(translate('install the tools'), {
    command: '',
    confidence: 0,
    alternatives: [],
    explanation: 'No matching pattern found',
    placeholders: [],
    suggestion: true,
    executed: false,
  });
  t.equal(translate('next steps please').command, '');
  t.equal(translate('ls').command, 'ls -la');
});

t.test('arguments: quoted text or the words after the trigger, quoted for the shell', async (t) => {
  t.equal(translate('grep TODO').command, 'grep -r -- TODO .');
  t.equal(translate('search in files for "hello world"').command, "grep -r -- 'hello world' .");
  t.equal(translate('find file named config.ts').command, 'find . -name config.ts');
  const missing = translate('grep');
  t.equal(missing.command, "grep -r -- '<pattern>' .");
  t.same(missing.placeholders, ['pattern']);
  t.equal(missing.confidence, 0.85, '0.2 less than with an argument');
});

t.test('hostile requests stay text: single-quoted, never interpolated', async (t) => {
  t.equal(translate('grep "$(rm -rf ~)"').command, "grep -r -- '$(rm -rf ~)' .");
  t.equal(translate('grep `reboot`').command, 'grep -r -- reboot .', 'the text between backticks, as a word');
  t.equal(translate("find file named it's; rm -rf /").command, "find . -name 'it'\\''s; rm -rf /'");
  t.equal(translate('grep a | sh').command, "grep -r -- 'a | sh' .");
  t.equal(translate('grep -rf /').command, "grep -r -- '-rf /' .", 'a leading dash is after --');
  const withBreak = translate('grep "a\nrm -rf /"');
  t.equal(withBreak.command, "grep -r -- '<pattern>' .", 'a line break is never put in a command');
  t.equal(translate(`grep ${'x'.repeat(300)}`).command, "grep -r -- '<pattern>' .", 'nor a 300-character argument');
  t.equal(shellQuote(''), "''");
  t.equal(shellQuote("a'b"), "'a'\\''b'");
});

t.test('aliases: whole words, any case; the longest one wins; before the rules', async (t) => {
  const aliases = [
    { alias: 'deploy', command: 'make deploy' },
    { alias: 'deploy staging', command: 'make deploy ENV=staging' },
    { alias: 'ls', command: 'exa -la' },
  ];
  t.match(translate('please DEPLOY staging now', aliases), {
    command: 'make deploy ENV=staging',
    confidence: 1,
    explanation: 'Custom alias: deploy staging',
    suggestion: true,
    executed: false,
  });
  t.equal(translate('deploy', aliases).command, 'make deploy');
  t.equal(translate('ls', aliases).command, 'exa -la', 'an alias shadows a rule');
  t.equal(translate('redeploy it', aliases).command, '', 'not a substring');
});

t.test('no file of tools/ imports child_process or runs anything', async (t) => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  t.ok(sources.length >= 8);
  for (const name of sources) {
    const text = readFileSync(join(dir, name), 'utf8');
    t.notMatch(text, /child_process|\bexecFile\b|\bspawn\(|\bexecSync\b|node:vm|\beval\(/, name);
  }
});
