package io.ampd;

public final class Main {
  public static void main(String[] args) {}
}
