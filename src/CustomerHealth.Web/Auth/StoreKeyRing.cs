using System.Xml.Linq;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace CustomerHealth.Web.Auth;

/// <summary>Data protection's key storage in the store (see <see cref="ProtectionKeys"/>), on a connection of its own each time.</summary>
internal sealed class StoreKeyRing(StoreAccess store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = store.Open();
        return new ProtectionKeys(db).All().Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = store.Open();
        new ProtectionKeys(db).Add(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }
}
