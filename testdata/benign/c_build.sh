# A C project built with make (three files and a main), run and cleaned.
set -e; D=$(mktemp -d /tmp/benign-c.XXXX); cd $D
for i in 1 2 3; do printf 'int f%d(int x){return x*%d;}\n' $i $i > f$i.c; done
printf '#include <stdio.h>\nint f1(int);int f2(int);int f3(int);\nint main(void){printf("%%d\\n",f1(1)+f2(2)+f3(3));return 0;}\n' > main.c
printf 'app: main.o f1.o f2.o f3.o\n\tcc -o app main.o f1.o f2.o f3.o\n%%.o: %%.c\n\tcc -O2 -c $<\n' > Makefile
make -s && ./app > /dev/null && make -s clean 2>/dev/null || true; cd /; rm -rf $D
