# Echo: the data arrives on stdin, the reply is what goes to stdout.
cat
