import t from 'tap';
import { expandBraces, MAX_DEPTH, splitShell } from './shell-split.js';

const texts = (command: string) => splitShell(command).parts.map((part) => part.text);
const viaOf = (command: string, text: string) => splitShell(command).parts.find((part) => part.text === text)?.via;

t.test('separators: ; & && || | |& and newlines each start a command', async (t) => {
  t.same(texts('a; b & c && d || e | f |& g\nh'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  t.same(texts('a;b&&c'), ['a', 'b', 'c'], 'without spaces');
  t.same(texts('a &> log; b 2>&1 | c'), ['a &> log', 'b >& 1', 'c'], '&> and 2>&1 are redirections, not separators');
  t.ok(splitShell('a; b').parsed);
});

t.test('quotes and escapes are removed the way bash removes them', async (t) => {
  t.same(texts(`r'm' "-r"f \\/ $'\\x2f' "a b"`), ['rm -rf / / a b']);
  t.same(texts('echo \'a"b\' "c\'d" "e\\"f" \'g\\h\''), [`echo a"b c'd e"f g\\h`]);
  t.same(texts('echo a\\\nb'), ['echo ab'], 'a backslash-newline joins lines');
  t.same(texts("$'\\162\\155' $'\\u0041' $'a\\tb'"), ['rm A a\tb']);
});

t.test('groups and subshells are opened', async (t) => {
  t.same(texts('(a; b) && { c; d; }'), ['a', 'b', 'c', 'd']);
  t.equal(viaOf('(a)', 'a'), 'subshell');
  t.same(texts('( ( a ) )'), ['a']);
});

t.test('command substitutions run, inside double quotes too; their text stays in the word', async (t) => {
  const split = splitShell('echo "x $(a b) `c`" $(d)');
  t.same(
    split.parts.map((part) => [part.text, part.via]),
    [
      ['a b', 'substitution'],
      ['c', 'substitution'],
      ['d', 'substitution'],
      ['echo x $(a b) `c` $(d)', 'line'],
    ],
  );
  const echo = split.parts.at(-1)!;
  t.same(
    echo.nested.map((part) => part.text),
    ['a b', 'c', 'd'],
    'the outer command knows what runs inside it',
  );
  t.ok(echo.argvDynamic[1], 'a word with a substitution is dynamic');
  t.same(texts('echo ${X:-$(a)} $((1 + $(b)))'), ['a', 'b', 'echo ${X:-$(a)} $((1 + $(b)))']);
  t.same(texts('echo ${HOME} $HOME'), ['echo $HOME $HOME'], '${NAME} is written $NAME');
  t.same(texts('echo `echo \\`inner\\``'), ['inner', 'echo `inner`', 'echo `echo \\`inner\\``']);
});

t.test('process substitution and redirections', async (t) => {
  t.same(texts('diff <(a) >(b)'), ['a', 'b', 'diff <(a) >(b)']);
  t.equal(viaOf('diff <(a) x', 'a'), 'process-substitution');
  const [part] = splitShell('cat < in > out 2>> err').parts;
  t.same(part!.redirects, [
    { op: '<', target: 'in' },
    { op: '>', target: 'out' },
    { op: '>>', target: 'err' },
  ]);
  t.same(part!.argv, ['cat']);
});

t.test('here-documents: bodies are data, unless a shell reads them or they expand', async (t) => {
  t.same(texts('cat <<EOF > f\nrm -rf /\nEOF\necho done'), ['cat << EOF > f', 'echo done'], 'data for cat');
  t.same(texts('bash <<EOF\na\nb\nEOF'), ['bash << EOF', 'a', 'b'], 'a program for bash');
  t.same(texts("cat <<'EOF'\n$(a)\nEOF"), ['cat << EOF'], 'a quoted delimiter does not expand');
  t.same(texts('cat <<EOF\n$(a)\nEOF'), ['cat << EOF', 'a'], 'an unquoted one does');
  t.same(texts('cat <<-EOF\n\tx\n\tEOF\nb'), ['cat <<- EOF', 'b'], '<<- strips tabs');
  t.same(texts("bash <<< 'a; b'"), ['bash <<< a; b', 'a', 'b'], 'a here-string for a shell');
  t.notOk(splitShell('cat <<EOF\nno end').parsed, 'an unterminated here-document is reported');
});

t.test('pipelines record their stages; a shell reading a pipe is dynamic and runs literal input', async (t) => {
  const split = splitShell('a | b | c');
  t.same(
    split.parts.map((part) => part.pipes.at(-1)),
    [
      [1, 0],
      [1, 1],
      [1, 2],
    ],
  );
  const piped = splitShell("echo 'x; y' | bash");
  t.same(
    piped.parts.map((part) => part.text),
    ['echo x; y', 'bash', 'x', 'y'],
  );
  t.ok(piped.parts[1]!.dynamic, 'bash reading a pipe runs what it is sent');
  t.same(texts("printf 'a %s\\n' b | sh"), ['printf a %s\\n b', 'sh', 'a b']);
  t.same(texts('cat <<EOF | bash\nz\nEOF'), ['cat << EOF', 'bash', 'z']);
});

t.test('wrappers yield the command they run as a part of its own', async (t) => {
  t.same(texts('sudo -u root timeout 10 env A=1 nice -n 5 x y'), [
    'sudo -u root timeout 10 env A=1 nice -n 5 x y',
    'timeout 10 env A=1 nice -n 5 x y',
    'env A=1 nice -n 5 x y',
    'A=1 nice -n 5 x y',
    'A=1 x y',
  ]);
  t.same(texts('/usr/bin/git status'), ['/usr/bin/git status', 'git status']);
  t.same(texts('command -v git'), ['command -v git'], 'command -v runs nothing');
  t.same(texts('xargs -n1 -I{} cp {} /tmp'), ['xargs -n1 -I{} cp {} /tmp', 'cp {} /tmp']);
  t.same(texts('find . -exec rm {} \\; -execdir chmod +x {} +'), [
    'find . -exec rm {} ; -execdir chmod +x {} +',
    'rm {}',
    'chmod +x {}',
  ]);
  t.same(texts("ssh -p 22 host 'a && b'"), ['ssh -p 22 host a && b', 'a', 'b']);
  t.same(texts("watch -n 1 'a | b'"), ['watch -n 1 a | b', 'a', 'b']);
  t.same(texts('FOO=1 BAR=2 x'), ['FOO=1 BAR=2 x']);
  t.same(splitShell('FOO=1 x').parts[0]!.assignments, ['FOO=1']);
});

t.test('bash -c, sh -c, eval and su -c strings are parsed recursively', async (t) => {
  t.same(texts("bash -c 'a; b'"), ['bash -c a; b', 'a', 'b']);
  t.same(texts("bash -xec 'a'"), ['bash -xec a', 'a']);
  t.same(texts('sh -c "sh -c \'a\'"'), ["sh -c sh -c 'a'", 'sh -c a', 'a']);
  t.equal(viaOf("bash -c 'a'", 'a'), 'shell-string');
  t.same(texts('eval "a" "&& b"'), ['eval a && b', 'a', 'b']);
  t.same(texts("su root -c 'a'"), ['su root -c a', 'a']);
  t.same(texts('bash script.sh arg'), ['bash script.sh arg'], 'a script file is not opened');
});

t.test('interpreter one-liners: the program is a code part; its string literals are judged', async (t) => {
  const split = splitShell(`python3 -c "import os; os.system('a b')"`);
  t.same(
    split.parts.map((part) => [part.kind, part.text, part.judgeOnly]),
    [
      ['command', "python3 -c import os; os.system('a b')", false],
      ['code', "import os; os.system('a b')", false],
      ['command', 'a b', true],
    ],
  );
  t.equal(split.parts[1]!.language, 'python3');
  t.ok(
    texts(`python -c 'import subprocess; subprocess.run(["x", "-y", "/z"])'`).includes('x -y /z'),
    'a list of literals is joined as one command',
  );
  for (const [command, code] of [
    ['node -e "a()"', 'a()'],
    ['node --eval="b()"', 'b()'],
    ['node -p "c"', 'c'],
    ["perl -ne 'print'", 'print'],
    ["ruby -e 'x'", 'x'],
    ["awk '{print $1}' f", '{print $1}'],
    ["php -r 'y();'", 'y();'],
    ['python3 -Sc "z"', 'z'],
  ] as const)
    t.ok(
      splitShell(command).parts.some((part) => part.kind === 'code' && part.text === code),
      `${command} → ${code}`,
    );
  t.notOk(
    splitShell('python3 script.py -c x').parts.some((part) => part.kind === 'code'),
    'a script with its own -c is no one-liner',
  );
  t.notOk(splitShell('python3 -m http.server').parts.some((part) => part.kind === 'code'));
  t.ok(
    splitShell('python3 - <<EOF\nprint(1)\nEOF').parts.some((part) => part.kind === 'code' && part.text === 'print(1)'),
  );
});

t.test('brace expansion, keywords, functions, tests', async (t) => {
  t.same(texts('{a,b,c}'), ['a b c']);
  t.same(texts('echo x{1..3}'), ['echo x1 x2 x3']);
  t.same(texts("echo '{a,b}' \\{c,d\\}"), ['echo {a,b} {c,d}'], 'quoted braces do not expand');
  t.same(expandBraces('{a,{b,c}}d'), ['ad', 'bd', 'cd']);
  t.equal(expandBraces('{1..100000}'), undefined, 'too many words');
  t.notOk(splitShell('echo {1..100000}').parsed);
  t.same(texts('if a; then b; elif c; then d; else e; fi'), ['a', 'b', 'c', 'd', 'e']);
  t.same(texts('while a; do b; done; until c; do d; done'), ['a', 'b', 'c', 'd']);
  t.same(texts('for f in $(ls); do rm "$f"; done'), ['ls', 'for f in $(ls)', 'rm $f']);
  t.same(texts('f() { a; }; function g { b; }'), ['a', 'b']);
  t.equal(viaOf('f() { a; }', 'a'), 'function');
  t.same(texts('[[ -f x && $(a) ]] && b'), ['a', '[[ -f x && $(a) ]]', 'b']);
  t.same(texts('! a | b'), ['a', 'b']);
  t.same(texts('time -p a'), ['a']);
  t.same(texts('a # b; c\nd'), ['a', 'd'], 'comments end at the newline');
  t.same(texts('echo a#b'), ['echo a#b'], '# inside a word is no comment');
});

t.test('cd is followed: later parts record the directory', async (t) => {
  const dirs = (command: string) => splitShell(command).parts.map((part) => part.dir);
  t.same(dirs('cd /a && b; cd c; d'), [undefined, '/a', '/a', '/a/c']);
  t.same(dirs('cd $X; b'), [undefined, null], 'a dynamic cd makes the directory unknown');
  t.same(dirs('(cd /a); b'), [undefined, undefined], 'a subshell cd does not leak');
  t.same(dirs('cd; b'), [undefined, '~']);
});

t.test('what cannot be parsed is reported, and parsing goes on', async (t) => {
  for (const broken of ["echo 'x", 'echo "x', 'echo $(x', 'echo `x', 'a )', 'a |', '| a', '(a', '{ a;', 'echo ${x']) {
    const split = splitShell(broken);
    t.notOk(split.parsed, `${JSON.stringify(broken)}: ${split.errors.join('; ')}`);
  }
  t.same(texts("a; rm -rf / '"), ['a', 'rm -rf / '], 'the parts before and at the error are kept');
  t.notOk(splitShell('case x in x) a;; esac').parsed, 'case is not analysed');
});

t.test('hostile input: deep nesting and huge lines end quickly, never throw', async (t) => {
  const deep = '$('.repeat(5000) + 'x' + ')'.repeat(5000);
  const split = splitShell(deep);
  t.notOk(split.parsed);
  t.ok(split.errors.some((e) => e.includes('nested too deeply')));
  const nestedShells = "bash -c '".repeat(1) + 'sh -c "'.repeat(1) + 'x' + '"' + "'";
  t.ok(splitShell(nestedShells).parsed);
  t.notOk(splitShell('eval '.repeat(MAX_DEPTH + 5) + 'x').parsed, 'eval nested beyond MAX_DEPTH');
  t.ok(splitShell('eval '.repeat(MAX_DEPTH - 2) + 'x').parsed, 'but not below it');
  const long = 'echo ' + 'a'.repeat(200_000) + ' && b';
  t.same(texts(long).slice(-1), ['b']);
  const random = Array.from({ length: 300 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join('');
  t.doesNotThrow(() => splitShell(random));
  for (let n = 0; n < 200; n++) {
    const chars = '$()`\'"{};|&<>\\ \nabc#=*';
    let text = '';
    for (let i = 0; i < 40; i++) text += chars[(n * 31 + i * i * 17) % chars.length];
    t.doesNotThrow(() => splitShell(text), JSON.stringify(text));
  }
});
