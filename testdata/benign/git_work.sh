# git: init, commits, a branch, log, diff, status.
set -e; D=$(mktemp -d /tmp/benign-git.XXXX); cd $D
git init -q repo && cd repo && git config user.email dev@example.com && git config user.name dev
for i in 1 2 3; do echo "line $i" > file$i.txt; done
git add . && git commit -qm "first" && git checkout -qb feature && echo more >> file1.txt && git commit -qam "second"
git log --oneline > /dev/null && git diff main feature > /dev/null 2>&1 || git diff master feature > /dev/null
git status --short > /dev/null && git branch -a > /dev/null && git stash list > /dev/null
cd /; rm -rf $D
