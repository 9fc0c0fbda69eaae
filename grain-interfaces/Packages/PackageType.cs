namespace CloudController.GrainInterfaces.Packages;

/// <summary>v3 package types.</summary>
public enum PackageType { Bits, Docker }
