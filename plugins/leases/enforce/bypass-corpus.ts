/**
 * Attempts to change a file another agent holds a lease on. The tests lease `src/auth/login.ts` and
 * `docs/**` to bob and run each attempt as alice in her worktree: the lease gate should stop it
 * before the file changes, and the check after her turn (or the pre-commit hook) before it is merged.
 * Each attempt changes a leased file when it runs; `gate: false` marks the ones the gate is known to
 * miss (programs run from files), which the after-the-fact checks must catch.
 */
export interface BypassAttempt {
  name: string;
  /** A Bash command (run with bash in alice's worktree), or a file tool call. */
  command?: string;
  tool?: { tool: string; input: Record<string, unknown> };
  /** False when the gate cannot see the write (it is in a file the command runs). */
  gate?: boolean;
}

const L = 'src/auth/login.ts';

export const BYPASS_CORPUS: readonly BypassAttempt[] = [
  { name: 'Edit tool', tool: { tool: 'Edit', input: { file_path: L, old_string: 'a', new_string: 'b' } } },
  { name: 'Write tool', tool: { tool: 'Write', input: { file_path: L, content: 'x' } } },
  { name: 'MultiEdit tool', tool: { tool: 'MultiEdit', input: { file_path: L, edits: [] } } },
  { name: 'Write to a leased directory', tool: { tool: 'Write', input: { file_path: 'docs/new.md', content: 'x' } } },
  { name: 'Write via ../ path', tool: { tool: 'Write', input: { file_path: `src/../${L}`, content: 'x' } } },
  { name: 'NotebookEdit into docs', tool: { tool: 'NotebookEdit', input: { notebook_path: 'docs/n.ipynb' } } },
  { name: 'redirect >', command: `echo x > ${L}` },
  { name: 'redirect >>', command: `echo x >> ${L}` },
  { name: 'redirect &>', command: `ls &> ${L}` },
  { name: 'redirect >|', command: `echo x >| ${L}` },
  { name: 'quoted path', command: `echo x > "src/auth/"'login.ts'` },
  { name: 'escaped path', command: 'echo x > src/auth/log\\in.ts' },
  { name: 'cd then relative', command: 'cd src/auth && echo x > login.ts' },
  { name: 'subshell cd', command: '(cd src && echo x > auth/login.ts)' },
  { name: 'heredoc into file', command: `cat <<EOF > ${L}\nx\nEOF` },
  { name: 'tee', command: `echo x | tee ${L}` },
  { name: 'tee -a', command: `echo x | tee -a /dev/null ${L}` },
  { name: 'sed -i', command: `sed -i s/a/b/ ${L}` },
  { name: 'sed -i.bak -e', command: `sed -i.bak -e s/a/b/ ${L}` },
  { name: 'perl -pi -e', command: `perl -pi -e 's/a/b/' ${L}` },
  { name: 'mv over it', command: `echo x > /tmp/l2-x-$$ && mv /tmp/l2-x-$$ ${L}` },
  { name: 'mv it away', command: `mv ${L} src/auth/old.ts` },
  { name: 'cp over it', command: `cp README.md ${L}` },
  { name: 'cp into leased dir', command: 'cp README.md docs/' },
  { name: 'rm', command: `rm ${L}` },
  { name: 'rm -rf the parent', command: 'rm -rf src/auth' },
  { name: 'rm a glob', command: 'rm src/auth/*.ts' },
  { name: 'touch a new file in docs', command: 'touch docs/new.md' },
  { name: 'truncate', command: `truncate -s 0 ${L}` },
  { name: 'dd of=', command: `dd if=README.md of=${L} 2>/dev/null` },
  { name: 'install', command: `install -m 644 README.md ${L}` },
  { name: 'ln -sf over it', command: `ln -sf ../../README.md ${L}` },
  { name: 'chmod +x', command: `chmod +x ${L}` },
  { name: 'git checkout <branch> --', command: `git checkout theirs -- ${L}` },
  { name: 'git restore --source', command: `git restore --source theirs ${L}` },
  { name: 'git rm', command: `git rm -q ${L}` },
  { name: 'git mv', command: `git mv ${L} src/auth/moved.ts` },
  {
    name: 'git apply a patch made on the spot',
    command: `git diff HEAD theirs > /tmp/l2-d-$$ && git apply /tmp/l2-d-$$`,
  },
  { name: 'git diff | git apply', command: 'git diff HEAD theirs | git apply' },
  { name: 'sudo-free wrapper: timeout', command: `timeout 5 sed -i s/a/b/ ${L}` },
  { name: 'env wrapper', command: `env X=1 sh -c 'echo x > ${L}'` },
  { name: 'bash -c', command: `bash -c "echo x > ${L}"` },
  { name: 'eval', command: `eval "echo x > ${L}"` },
  { name: 'nested substitution', command: `echo $(echo x > ${L})` },
  { name: 'process substitution', command: `echo x > >(tee ${L} >/dev/null); sleep 0.2` },
  { name: 'brace expansion', command: 'tee src/auth/{login,other}.ts < README.md' },
  { name: 'variable path', command: `F=${L}; echo x > "$F"` },
  { name: 'variable with sed', command: `F=${L}; sed -i s/a/b/ "$F"` },
  { name: 'xargs rm', command: `echo ${L} | xargs rm` },
  { name: 'find -exec sed', command: "find src/auth -name 'login.ts' -exec sed -i s/a/b/ {} \\;" },
  { name: 'find -delete', command: 'find src/auth -name login.ts -delete' },
  { name: 'python open w', command: `python3 -c "open('${L}', 'w').write('x')"` },
  { name: 'python pathlib', command: `python3 -c "import pathlib; pathlib.Path('${L}').write_text('x')"` },
  { name: 'python os.remove', command: `python3 -c "import os; os.remove('${L}')"` },
  { name: 'python computed path', command: `python3 -c "open('src/auth/' + 'login.ts', 'w').write('x')"` },
  { name: 'python heredoc', command: `python3 - <<'EOF'\nopen('${L}', 'a').write('x')\nEOF` },
  { name: 'node writeFileSync', command: `node -e "require('fs').writeFileSync('${L}', 'x')"` },
  {
    name: 'node computed path',
    command: `node -e "require('fs').writeFileSync(['src','auth','login.ts'].join('/'), 'x')"`,
  },
  { name: 'perl open >', command: `perl -e 'open(my $f, ">", "${L}"); print $f 1'` },
  { name: 'awk print >', command: `awk 'BEGIN { print "x" > "${L}" }'` },
  { name: 'dynamic command name', command: `C=rm; $C ${L}` },
  { name: 'script file', command: `printf 'echo x > ${L}\\n' > /tmp/l2-s-$$.sh && bash /tmp/l2-s-$$.sh`, gate: false },
  {
    name: 'python script file',
    command: `printf "open('${L}','w').write('x')\\n" > /tmp/l2-s-$$.py && python3 /tmp/l2-s-$$.py`,
    gate: false,
  },
];
