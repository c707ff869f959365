import t from 'tap';
import { writeTargets } from './writes.js';

const cwd = '/repo/sub';
const home = '/home/me';
const bash = (command: string) => writeTargets({ tool: 'Bash', input: { command }, cwd, home });

/** [command, the paths it writes (sorted), unknown?] */
const TABLE: readonly [string, string[], boolean?][] = [
  // Not writes.
  ['ls -la && cat a.ts | grep x', []],
  ['echo hi > /dev/null 2>&1', []],
  ['git status && git diff && git log -3', []],
  ['npm test', []],
  ["sed -n '1,5p' a.ts", []],
  ["perl -ne 'print if /x/' a.ts", []],
  ['python3 -c "print(open(\'a.ts\').read())"', []],
  ['git checkout -b feature', []],
  // Redirections.
  ['echo x > a.ts', ['/repo/sub/a.ts']],
  ['echo x >> ../b.ts', ['/repo/b.ts']],
  ['make &> build.log', ['/repo/sub/build.log']],
  ['exec 3>fd.txt', ['/repo/sub/fd.txt']],
  ['cat <<EOF > /repo/c.ts\nhello\nEOF', ['/repo/c.ts']],
  ['echo x > ~/notes.txt', ['/home/me/notes.txt']],
  ['cd /repo/lib && echo x > d.ts', ['/repo/lib/d.ts']],
  ['(cd ../lib; printf x >| e.ts)', ['/repo/lib/e.ts']],
  ['echo x > "$F"', [], true],
  ['echo x > $(mktemp)', [], true],
  ['cd "$D" && echo x > f.ts', [], true],
  // Commands that write their operands.
  ['tee a.ts b.ts < in', ['/repo/sub/a.ts', '/repo/sub/b.ts']],
  ['echo x | sudo tee -a /etc/hosts', ['/etc/hosts']],
  ['sed -i s/a/b/ a.ts b.ts', ['/repo/sub/a.ts', '/repo/sub/b.ts']],
  ["sed -i.bak -e 's/a/b/' a.ts", ['/repo/sub/a.ts']],
  ["sed --in-place 's/a/b/' a.ts", ['/repo/sub/a.ts']],
  ["perl -pi -e 's/a/b/' a.ts", ['/repo/sub/a.ts']],
  ["perl -i.orig -pe 's/a/b/' a.ts", ['/repo/sub/a.ts']],
  ["ruby -i -pe 'gsub(/a/, %q(b))' a.rb", ['/repo/sub/a.rb']],
  ['rm -rf build a.ts', ['/repo/sub/a.ts', '/repo/sub/build']],
  ['touch -d yesterday a.ts', ['/repo/sub/a.ts']],
  ['truncate -s 0 a.ts', ['/repo/sub/a.ts']],
  ['chmod 600 a.ts', ['/repo/sub/a.ts']],
  ['dd if=/dev/zero of=a.bin bs=1 count=1', ['/repo/sub/a.bin']],
  ['mv a.ts b.ts', ['/repo/sub/a.ts', '/repo/sub/b.ts', '/repo/sub/b.ts/a.ts']],
  ['cp /tmp/x.ts src/', ['/repo/sub/src', '/repo/sub/src/x.ts']],
  ['cp -t dst a b', ['/repo/sub/dst', '/repo/sub/dst/a', '/repo/sub/dst/b']],
  ['install -m 644 /tmp/x y', ['/repo/sub/y', '/repo/sub/y/x']],
  ['ln -sf /tmp/x link', ['/repo/sub/link', '/repo/sub/link/x']],
  ['curl -sSLo out.json https://x', ['/repo/sub/out.json']],
  ['wget -O page.html https://x', ['/repo/sub/page.html']],
  ['sort -o sorted.txt in.txt', ['/repo/sub/sorted.txt']],
  ["gawk -i inplace '{print}' a.txt", ['/repo/sub/a.txt']],
  ['awk \'{print > "out.txt"}\' in.txt', ['/repo/sub/out.txt']],
  ['rm *.ts', ['/repo/sub/*.ts']],
  ['rm "$FILE"', [], true],
  ['find . -name "*.ts" -exec rm {} \\;', [], true],
  ['ls | xargs rm', [], true],
  ['find src -name x.ts -delete', ['/repo/sub/src']],
  ['tar xf a.tar', [], true],
  ['$EDITOR a.ts', [], true],
  // git and patches.
  ['git checkout -- a.ts', ['/repo/sub/a.ts']],
  ['git checkout main -- src/x.ts', ['/repo/sub/src/x.ts']],
  ['git checkout .', ['/repo/sub']],
  ['git restore --source HEAD~1 a.ts', ['/repo/sub/a.ts']],
  ['git -C /repo restore x.ts', ['/repo/x.ts']],
  ['git rm -q a.ts', ['/repo/sub/a.ts']],
  ['git clean -fd', ['/repo/sub']],
  ['git apply ../fix.diff', []],
  ['git apply', [], true],
  ['patch -p1 < fix.diff', []],
  ['patch a.ts fix.diff', ['/repo/sub/a.ts']],
  // Wrappers and nesting.
  ['bash -c "echo x > a.ts"', ['/repo/sub/a.ts']],
  ["sudo -u me sh -c 'sed -i s/x/y/ a.ts'", ['/repo/sub/a.ts']],
  ['eval "rm a.ts"', ['/repo/sub/a.ts']],
  ['echo $(echo x > a.ts)', ['/repo/sub/a.ts']],
  ['diff <(cat a) >(tee out.ts)', ['/repo/sub/out.ts']],
  ['timeout 5 nice cp a b', ['/repo/sub/b', '/repo/sub/b/a']],
  // Interpreter one-liners.
  ["python3 -c \"open('a.ts', 'w').write('x')\"", ['/repo/sub/a.ts']],
  ["python3 -c \"from pathlib import Path; Path('a.ts').write_text('x')\"", ['/repo/sub/a.ts']],
  ['python3 -c "import os; os.remove(\'a.ts\')"', ['/repo/sub/a.ts']],
  ["python3 -c \"import shutil; shutil.copy('/tmp/x', 'a.ts')\"", ['/repo/sub/a.ts']],
  ["python3 -c \"import os; os.rename('a.ts', 'b.ts')\"", ['/repo/sub/a.ts', '/repo/sub/b.ts']],
  ['python3 -c "import sys; open(sys.argv[1], \'w\')" a.ts', [], true],
  ['python3 -c "import os; os.system(cmd)"', [], true],
  ["python3 -c \"import subprocess; subprocess.run(['sed', '-i', 's/a/b/', 'a.ts'])\"", ['/repo/sub/a.ts']],
  ["node -e \"require('fs').writeFileSync('a.js', 'x')\"", ['/repo/sub/a.js']],
  ["node -e \"const fs=require('fs'); fs.appendFileSync(process.argv[1], 'x')\"", [], true],
  ["node -e \"require('fs').renameSync('a.js', 'b.js')\"", ['/repo/sub/a.js', '/repo/sub/b.js']],
  ['perl -e \'open(my $f, ">", "a.pl"); print $f 1\'', ['/repo/sub/a.pl']],
  ['perl -e \'open(F, ">a.pl"); print F 1\'', ['/repo/sub/a.pl']],
  ['perl -e \'unlink "a.pl"\'', [], true],
  ['ruby -e \'File.write("a.rb", 1)\'', ['/repo/sub/a.rb']],
  ['php -r \'file_put_contents("a.php", 1);\'', ['/repo/sub/a.php']],
  ['python3 - <<EOF\nopen("a.ts", "a").write("x")\nEOF', ['/repo/sub/a.ts']],
];

t.test('the table: what each command writes', async (t) => {
  for (const [command, paths, unknown] of TABLE) {
    const got = bash(command);
    t.same([...got.paths].sort(), paths, `${JSON.stringify(command)} writes ${paths.join(', ') || 'nothing'}`);
    t.equal(got.unknown, unknown === true, `${JSON.stringify(command)} is ${unknown ? '' : 'not '}unknown`);
  }
});

t.test('patches are named for the caller to read', async (t) => {
  t.same(bash('git apply ../fix.diff').patches, ['/repo/fix.diff']);
  t.same(bash('patch -p1 < fix.diff').patches, ['/repo/sub/fix.diff']);
  t.same(bash('git -C /repo am x.patch').patches, ['/repo/x.patch']);
});

t.test('file tools: their path, resolved; a missing path is unknown', async (t) => {
  t.same(writeTargets({ tool: 'Edit', input: { file_path: 'a.ts' }, cwd }).paths, ['/repo/sub/a.ts']);
  t.same(writeTargets({ tool: 'Write', input: { file_path: '/x/y.ts' } }).paths, ['/x/y.ts']);
  t.same(writeTargets({ tool: 'MultiEdit', input: { file_path: '~/z' }, home }).paths, ['/home/me/z']);
  t.same(writeTargets({ tool: 'NotebookEdit', input: { notebook_path: 'n.ipynb' }, cwd }).paths, ['/repo/sub/n.ipynb']);
  t.equal(writeTargets({ tool: 'Edit', input: {} }).unknown, true);
  t.same(writeTargets({ tool: 'Read', input: { file_path: 'a.ts' }, cwd }), {
    paths: [],
    patches: [],
    unknown: false,
    reasons: [],
  });
  t.same(writeTargets({ tool: 'mcp__x__y', input: { path: 'a' } }).paths, []);
});

t.test('never throws on odd input', async (t) => {
  t.equal(writeTargets({ tool: 'Bash', input: {} }).unknown, true);
  t.equal(writeTargets({ tool: 'Bash', input: { command: 7 } }).unknown, true);
  t.equal(writeTargets({ tool: 'Bash', input: { command: 'echo "unterminated > a.ts' } }).unknown, true);
  t.same(writeTargets({ tool: 'Bash', input: { command: 'r\0m a.ts' }, cwd }).paths, ['/repo/sub/a.ts']);
  t.ok(writeTargets({ tool: 'Bash', input: { command: 'python3 -c "' + 'x'.repeat(200_000) + '"' } }).unknown);
  // No cwd: relative paths stay relative, for the caller to resolve.
  t.same(writeTargets({ tool: 'Bash', input: { command: 'echo > a.ts' } }).paths, ['a.ts']);
});
