from okxlink.cli.entry import main

main()
